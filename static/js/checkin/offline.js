// Offline layer of the scanner page. It wraps the check-in API (api.js) with the same
// methods and answers; without network it decides from the roster kept on the phone
// (same rules as the server), queues what it did and sends the queue when the network
// returns (POST …/sync). The server stays the source of truth (app/services/sync.py).
import { ApiError, NetworkError } from "./api.js";
import { openStore } from "./offline-store.js";
import { shortCode } from "./short-code.js";
import { frenchTime } from "./ui.js";

const SYNC_EVERY_MS = 15000;
const RETRY_MS = 2000;
const EVENTS_PER_UPLOAD = 100;
const SEARCH_LIMIT = 15;

const $ = (id) => document.getElementById(id);

export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function fold(text) {
  return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function clock(iso) {
  return frenchTime(new Date(iso));
}

function plural(count, word) {
  return count + " " + word + (count > 1 ? "s" : "");
}

// The door opens on the village's day only: the date of `iso` in the village's time zone is
// its day. Twin of is_village_day in app/services/checkin.py (its check_in docstring says so).
export function isVillageDay(iso, day, timeZone) {
  if (!day) return true;  // a roster from before the server sent the day: the server decides
  const date = new Intl.DateTimeFormat("en-CA", { timeZone: timeZone || undefined, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(new Date(iso));
  return date === day;
}

function notVillageDay(day, timeZone, person) {
  const when = new Date(day + "T12:00:00Z").toLocaleDateString("fr-FR", {
    weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  return {
    result: "not_village_day",
    attendee: person || null,
    offline: true,
    message: "Ce n'est pas le jour du village (" + when + ") : personne n'entre et rien n'est " +
      "enregistré. Pour vous exercer avec de vrais badges, activez le mode entraînement.",
  };
}

export function registerServiceWorker(url) {
  if ("serviceWorker" in navigator && url) {
    navigator.serviceWorker.register(url).catch(() => {
      // Without it the page still scans offline once loaded; only a reload needs it.
    });
  }
}

export function createOfflineApi(api, root) {
  const data = root.dataset;
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = meta ? meta.content : "";
  const state = {
    device: null,
    cursor: 0,
    syncedAt: null,
    entries: {},     // registration id -> attendee (as the server describes them) + code_hash
    others: {},      // code_hash -> name of the other village
    conflicts: [],
    myScans: {},     // registration id -> scan id of this phone's admission (for undo, conflicts)
    day: data.villageDay,          // the village's day (YYYY-MM-DD) and time zone, kept fresh by the roster
    timeZone: data.timeZone,
  };
  const byHash = new Map();
  let store = null;
  let pending = 0;
  let online = navigator.onLine;
  let syncing = null;

  function index() {
    byHash.clear();
    for (const entry of Object.values(state.entries)) {
      if (entry.code_hash) byHash.set(entry.code_hash, entry);
    }
  }

  async function save() {
    await store.write("roster-" + api.village, state);
  }

  const ready = (async () => {
    store = await openStore("villages-checkin");
    Object.assign(state, (await store.read("roster-" + api.village)) || {});
    state.device = state.device || crypto.randomUUID();
    pending = (await store.all()).length;
    index();
    render();
  })();

  // Talking to the server ---------------------------------------------------------------------

  async function call(method, url, payload) {
    let response;
    try {
      response = await fetch(url, {
        method,
        credentials: "same-origin",
        headers: payload === undefined ? { Accept: "application/json" }
          : { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    } catch (error) {
      throw new NetworkError("Réseau indisponible");
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  function merge(roster) {
    for (const entry of roster.entries) {
      const waiting = state.entries[entry.id] && state.entries[entry.id].queued;
      // A local admission not yet acknowledged stays visible until the server has it.
      state.entries[entry.id] = waiting && !entry.checked_in_at ? { ...entry, ...waiting } : entry;
    }
    if (roster.other_villages) {
      state.others = Object.fromEntries(roster.other_villages.map((o) => [o.code_hash, o.village]));
    }
    state.conflicts = roster.conflicts;
    if (roster.day) Object.assign(state, { day: roster.day, timeZone: roster.time_zone });
    state.cursor = roster.cursor;
    state.syncedAt = new Date().toISOString();
    index();
  }

  async function upload() {
    for (;;) {
      const batch = await store.oldest(EVENTS_PER_UPLOAD);
      if (!batch.length) return;
      await call("POST", data.syncUrl, { device: state.device, events: batch.map((item) => item.event) });
      await store.remove(batch.map((item) => item.key));
      pending = Math.max(0, pending - batch.length);
      for (const { event } of batch) {
        const entry = event.registration_id && state.entries[event.registration_id];
        if (entry) delete entry.queued;
      }
      render();
    }
  }

  async function syncOnce() {
    await ready;
    try {
      await upload();
      merge(await call("GET", data.rosterUrl + "?since=" + state.cursor));
      await save();
      online = true;
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      online = false;
      // The phone says it has network but the server did not answer (the network often
      // comes back in fits): try again soon rather than at the next regular sync.
      if (navigator.onLine) setTimeout(sync, RETRY_MS);
    } finally {
      render();
    }
  }

  function sync() {
    // One sync at a time: a second call waits for the running one.
    syncing = syncing || syncOnce().finally(() => { syncing = null; });
    return syncing;
  }

  // Deciding on the phone ---------------------------------------------------------------------

  async function enqueue(event, entry) {
    await store.enqueue(event);
    pending += 1;
    if (entry) {
      entry.queued = { checked_in_at: entry.checked_in_at, checked_in_by: entry.checked_in_by };
    }
    await save();
    render();
  }

  function notInList() {
    const since = state.syncedAt ? " (mise à jour à " + clock(state.syncedAt) + ")" : "";
    return {
      result: "unknown",
      attendee: null,
      offline: true,
      explanation: {
        title: "Pas encore dans la liste de ce téléphone",
        detail: "Ce badge n'est pas dans la liste gardée sur ce téléphone" + since +
          "\u00a0: inscription récente\u00a0? Cherchez la personne par son nom, ou scannez à nouveau " +
          "quand le réseau revient.",
      },
    };
  }

  async function entryFor(fields) {
    if (fields.registration_id !== undefined) return state.entries[fields.registration_id] || null;
    const hash = await sha256Hex(fields.code.split(/\s+/).join(""));
    return byHash.get(hash) || { missing: hash };
  }

  // The check-in rule's offline twin: check_in in app/services/checkin.py decides the same
  // (not in the list, other village, not the village's day, cancelled, waitlisted, already in,
  // else admitted; a rehearsal writes nothing) with the network. A change to the rule is made
  // in both places.
  async function decide(fields, scan) {
    const entry = await entryFor(fields);
    if (!entry || entry.removed) return notInList();
    if (entry.missing) {
      const village = state.others[entry.missing];
      if (!village) return notInList();
      return { result: "wrong_village", attendee: { name: "", village_name: village }, offline: true };
    }
    const answer = (result) => ({ result, attendee: { ...entry }, offline: true, rehearsal: fields.rehearsal || undefined });
    if (!fields.rehearsal && !isVillageDay(scan.scanned_at, state.day, state.timeZone)) {
      return notVillageDay(state.day, state.timeZone, { ...entry });
    }
    if (entry.status === "cancelled") return answer("cancelled");
    if (entry.status === "waitlisted") return answer("waitlisted");
    if (entry.checked_in_at) return answer("already_checked_in");
    if (fields.rehearsal) return answer("ok");  // a rehearsal writes nothing, here as on the server
    entry.checked_in_at = scan.scanned_at;
    entry.checked_in_by = data.scannerName;
    state.myScans[entry.id] = scan.scan_id;
    const event = { id: scan.scan_id, type: "scan", scanned_at: scan.scanned_at, registration_id: entry.id };
    if (fields.code !== undefined) Object.assign(event, { code: fields.code, method: "scan" });
    else Object.assign(event, { code_hash: entry.code_hash, method: "search" });
    await enqueue(event, entry);
    return answer("ok");
  }

  function learn(answer, scanId) {
    const person = answer && answer.attendee;
    if (!person || person.id === undefined || answer.rehearsal) return;
    const known = state.entries[person.id] || {};
    state.entries[person.id] = { ...known, ...person };
    if (answer.result === "ok" && scanId) state.myScans[person.id] = scanId;
    if (answer.result === "undone") delete state.myScans[person.id];
    save();
  }

  // Online first while the network answers and nothing waits in the queue (so that the
  // server sees this phone's events in the order they happened).
  async function onlineFirst(request, offline) {
    await ready;
    if (online && pending === 0) {
      try {
        return await request();
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        online = false;
        render();
      }
    }
    return offline();
  }

  function now() {
    return new Date().toISOString();
  }

  // The API of api.js ---------------------------------------------------------------------------

  async function checkIn(fields) {
    const scan = { scan_id: crypto.randomUUID(), scanned_at: now() };
    return onlineFirst(
      async () => {
        const answer = await api.checkIn({ ...fields, ...scan });
        learn(answer, scan.scan_id);
        return answer;
      },
      () => decide(fields, scan),
    );
  }

  async function undo(fields) {
    return onlineFirst(
      async () => {
        const answer = await api.undo(fields);
        learn(answer);
        return answer;
      },
      async () => {
        const entry = state.entries[fields.registration_id];
        const scanId = state.myScans[fields.registration_id];
        if (!entry || !scanId) {
          throw new ApiError(409, {
            error: "Sans réseau, seules les entrées faites sur ce téléphone peuvent être annulées. " +
              "Réessayez quand le réseau revient.",
          });
        }
        delete state.myScans[entry.id];
        entry.checked_in_at = null;
        entry.checked_in_by = null;
        await enqueue({ id: crypto.randomUUID(), type: "undo", scan_id: scanId, scanned_at: now(),
                        reason: fields.reason || "", registration_id: entry.id }, entry);
        return { result: "undone", attendee: { ...entry }, offline: true };
      },
    );
  }

  function searchHere(query) {
    const code = shortCode(query);
    const byCode = code ? Object.values(state.entries).filter((entry) => !entry.removed && entry.short_code === code) : [];
    if (byCode.length) return { results: byCode.slice(0, SEARCH_LIMIT), offline: true };
    const words = fold(query).split(/\s+/).filter(Boolean);
    const found = Object.values(state.entries).filter((entry) => !entry.removed && words.every(
      (word) => fold([entry.first_name, entry.last_name, entry.organisation].join(" ")).includes(word)));
    found.sort((a, b) => (a.status !== "confirmed") - (b.status !== "confirmed")
      || a.last_name.localeCompare(b.last_name, "fr"));
    return { results: found.slice(0, SEARCH_LIMIT), offline: true };
  }

  async function search(query) {
    return onlineFirst(() => api.search(query), () => searchHere(query));
  }

  // A role's name as the page writes it (the walk-in form's choices), for everyone of that role
  // together: each person's own label may be in the feminine or the masculine.
  function roleName(code) {
    const option = document.querySelector('#walk-in-role option[value="' + CSS.escape(code) + '"]');
    return option ? option.textContent : "";
  }

  function attendanceHere() {
    const roles = new Map();
    let present = 0, expected = 0, walkIns = 0;
    for (const entry of Object.values(state.entries)) {
      if (entry.removed || entry.status !== "confirmed") continue;
      const role = roles.get(entry.role_code) || { label: roleName(entry.role_code) || entry.role, present: 0, expected: 0 };
      role.expected += 1;
      expected += 1;
      if (entry.checked_in_at) { role.present += 1; present += 1; }
      if (entry.is_walk_in) walkIns += 1;
      roles.set(entry.role_code, role);
    }
    return { present, expected, walk_ins: walkIns, roles: [...roles.values()], offline: true };
  }

  async function attendance() {
    return onlineFirst(() => api.attendance(), attendanceHere);
  }

  async function walkIn(fields) {
    return onlineFirst(
      () => api.walkIn(fields),
      async () => {
        const person = { ...fields };
        delete person.over_capacity;
        delete person.scan_id;
        const errors = {};
        if (!(person.first_name || "").trim()) errors.first_name = "Indiquez le prénom.";
        if (!(person.last_name || "").trim()) errors.last_name = "Indiquez le nom.";
        if (!person.role) errors.role = "Choisissez le rôle de la personne.";
        if (Object.keys(errors).length) throw new ApiError(422, { error: "Certains champs sont à corriger.", errors });
        const rehearsal = person.rehearsal;
        delete person.rehearsal;
        const scannedAt = now();
        if (!rehearsal && !isVillageDay(scannedAt, state.day, state.timeZone)) return notVillageDay(state.day, state.timeZone);
        if (!rehearsal) await enqueue({ id: fields.scan_id || crypto.randomUUID(), type: "walk_in", scanned_at: scannedAt, person });
        return {
          result: "ok",
          offline: true,
          rehearsal: rehearsal || undefined,
          attendee: { name: person.first_name + " " + person.last_name, role: roleName(person.role),
                      organisation: person.organisation, is_walk_in: true },
        };
      },
    );
  }

  // What the volunteer sees of it --------------------------------------------------------------

  function mine(conflict) {
    const ids = new Set(Object.values(state.myScans));
    return ids.has(conflict.scan_id) || ids.has(conflict.winner.scan_id);
  }

  function render() {
    const status = $("offline-status");
    if (!status) return;
    const list = Object.keys(state.entries).length;
    const updated = state.syncedAt ? ", à jour à " + clock(state.syncedAt) : "";
    status.dataset.online = online ? "yes" : "no";
    status.dataset.pending = pending;
    $("offline-state").textContent = online ? "En ligne" : "Hors ligne\u00a0: les scans sont décidés sur ce téléphone";
    $("offline-pending").textContent = pending
      ? plural(pending, "passage") + " en attente d'envoi"
      : "Tout est envoyé";
    $("offline-roster").textContent = "Liste du téléphone\u00a0: " + plural(list, "personne") + updated;
    const conflicts = state.conflicts.filter((conflict) => !conflict.undone);
    const box = $("offline-conflicts");
    box.hidden = conflicts.length === 0;
    $("offline-conflict-list").replaceChildren(...conflicts.map((conflict) => {
      const item = document.createElement("li");
      item.textContent = conflict.name + "\u00a0: entrée à " + clock(conflict.winner.scanned_at) + " par " +
        conflict.winner.scanner + ", puis à nouveau " + clock(conflict.scanned_at) + " par " +
        conflict.scanner + (mine(conflict) ? " (ce téléphone)" : "");
      if (mine(conflict)) item.className = "mine";
      return item;
    }));
  }

  window.addEventListener("online", () => { online = true; sync(); });
  window.addEventListener("offline", () => { online = false; render(); });
  sync();
  setInterval(sync, SYNC_EVERY_MS);

  return { village: api.village, checkIn, undo, search, attendance, walkIn, sync };
}
