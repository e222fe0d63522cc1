// What the volunteer sees: the full-screen result, the counters, the lists of people.

const KIND = {
  ok: "ok",
  already_checked_in: "warn",
  unknown: "error",
  cancelled: "error",
  waitlisted: "error",
  wrong_village: "error",
  not_village_day: "warn",
};
const VISIBLE_MS = { ok: 2000, warn: 4000, error: 5000 };
const RECENT_LENGTH = 15;

const $ = (id) => document.getElementById(id);
let hideTimer = null;

export function kindOf(result) {
  return KIND[result] || "error";
}

// As written in French, never broken over two lines: « 9 h », « 17 h 05 ».
export function frenchTime(moment) {
  const minutes = moment.getMinutes();
  return moment.getHours() + "\u00a0h" + (minutes ? "\u00a0" + String(minutes).padStart(2, "0") : "");
}

export function formatTime(iso) {
  if (!iso) return "";
  const moment = new Date(iso);
  const time = frenchTime(moment);
  if (moment.toDateString() === new Date().toDateString()) return "à " + time;
  return "le " + moment.toLocaleDateString("fr-FR", { day: "numeric", month: "long" }) + " à " + time;
}

function metaLine(person) {
  return [person.role, person.organisation].filter(Boolean).join(" · ");
}

// Title and explanation of an answer of POST /api/checkin, in French.
export function describe(answer) {
  // The offline layer explains what only it knows (e.g. a badge missing from the phone's list).
  if (answer.explanation) return answer.explanation;
  const person = answer.attendee;
  switch (answer.result) {
    case "ok":
      return { title: person.is_walk_in ? "Inscription et entrée enregistrées" : "Bienvenue\u00a0!", detail: "" };
    case "already_checked_in":
      return {
        title: "Entrée déjà enregistrée",
        detail: ["Première entrée", formatTime(person.checked_in_at),
                 person.checked_in_by ? "par " + person.checked_in_by : ""].filter(Boolean).join(" "),
      };
    case "cancelled":
      return { title: "Inscription annulée", detail: "Cette personne a annulé son inscription\u00a0: voir avec l'équipe organisatrice." };
    case "waitlisted":
      return { title: "Liste d'attente", detail: "Pas de place confirmée pour cette personne\u00a0: voir avec l'équipe organisatrice." };
    case "wrong_village":
      return { title: "Autre village", detail: "Ce badge est pour le " + person.village_name + "." };
    case "not_village_day":
      return { title: "Pas le jour du village", detail: answer.message || "Personne n'entre et rien n'est enregistré." };
    default:
      return { title: "Badge inconnu", detail: "Ce code ne correspond à aucune inscription. Cherchez la personne par son nom." };
  }
}

export function showResult(answer, { onUndo }) {
  const person = answer.attendee;
  const { title, detail } = describe(answer);
  show(kindOf(answer.result), answer.result, title, person ? person.name : "", person ? metaLine(person) : "", detail,
       Boolean(answer.rehearsal));
  const undo = $("result-undo");
  const undoable = person && !answer.rehearsal && (answer.result === "ok" || answer.result === "already_checked_in");
  undo.hidden = !undoable;
  undo.onclick = undoable ? () => { cancelAutoHide(); onUndo(person); } : null;
}

export function showProblem(result, title, detail) {
  show("error", result, title, "", "", detail);
  $("result-undo").hidden = true;
}

function show(kind, result, title, name, meta, detail, rehearsal = false) {
  const box = $("result");
  box.className = "result result-" + kind + (rehearsal ? " result-rehearsal" : "");
  box.dataset.result = result;
  box.dataset.rehearsal = rehearsal ? "yes" : "no";
  $("result-rehearsal").hidden = !rehearsal;
  $("result-title").textContent = title;
  $("result-name").textContent = name;
  $("result-meta").textContent = meta;
  $("result-detail").textContent = detail;
  box.hidden = false;
  cancelAutoHide();
  hideTimer = setTimeout(hideResult, VISIBLE_MS[kind]);
}

function cancelAutoHide() {
  clearTimeout(hideTimer);
}

export function hideResult() {
  cancelAutoHide();
  $("result").hidden = true;
}

export function renderAttendance(stats) {
  $("present").textContent = stats.present;
  $("expected").textContent = stats.expected;
  $("walk-ins").textContent = stats.walk_ins;
  $("by-role").replaceChildren(...stats.roles.map((role) => {
    const row = document.createElement("tr");
    for (const value of [role.label, role.present, role.expected]) {
      const cell = document.createElement("td");
      cell.textContent = value;
      row.append(cell);
    }
    return row;
  }));
}

function button(label, className, action) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  if (className) element.className = className;
  element.addEventListener("click", action);
  return element;
}

function personItem(person, stateText, stateClass) {
  const item = document.createElement("li");
  const who = document.createElement("div");
  who.className = "who";
  const name = document.createElement("strong");
  name.textContent = person.name;
  const meta = document.createElement("span");
  meta.textContent = metaLine(person);
  who.append(name, meta);
  if (stateText) {
    const state = document.createElement("span");
    state.className = stateClass;
    state.textContent = " " + stateText;
    who.append(state);
  }
  item.append(who);
  return item;
}

const REFUSED_STATUS = { cancelled: "Inscription annulée", waitlisted: "Liste d'attente" };

// Search results: one tap admits a person; people already in can be taken back out.
export function renderSearchResults(people, { onCheckIn, onUndo }) {
  $("search-results").replaceChildren(...people.map((person) => {
    if (person.checked_in_at) {
      const item = personItem(person, "Entrée " + formatTime(person.checked_in_at), "state-in");
      item.append(button("Annuler l'entrée", "button-secondary", () => onUndo(person)));
      return item;
    }
    const refused = REFUSED_STATUS[person.status];
    const item = personItem(person, refused || "", refused ? "state-refused" : "");
    item.append(button("Faire entrer", "", () => onCheckIn(person)));
    return item;
  }));
}

export function addRecent(answer, { onUndo }) {
  if (!answer.attendee) return;
  const { title } = describe(answer);
  const person = answer.attendee;
  const state = (answer.rehearsal ? "Entraînement : " : "") + title;
  const item = personItem(person, state, answer.rehearsal ? "state-rehearsal"
    : answer.result === "ok" ? "state-in" : kindOf(answer.result) === "warn" ? "state-warn" : "state-refused");
  item.dataset.registration = person.id;
  if (answer.result === "ok" && !answer.rehearsal) item.append(button("Annuler", "button-secondary", () => onUndo(person)));
  const list = $("recent");
  list.prepend(item);
  while (list.children.length > RECENT_LENGTH) list.lastElementChild.remove();
}

export function markUndone(person) {
  for (const item of $("recent").querySelectorAll(`[data-registration="${person.id}"]`)) {
    item.querySelector(".who span:last-child").className = "state-undone";
    const undo = item.querySelector("button");
    if (undo) undo.remove();
  }
}

export function askReason(person) {
  const dialog = $("undo-dialog");
  $("undo-name").textContent = person.name;
  $("undo-reason").value = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm" ? $("undo-reason").value.trim() : null);
    }, { once: true });
  });
}

export function setCameraStatus(text, { showStart = false } = {}) {
  $("camera-status").textContent = text;
  $("camera-start").hidden = !showStart;
}

export function showFieldErrors(form, errors) {
  for (const field of form.querySelectorAll("[data-field]")) {
    const message = errors[field.dataset.field];
    const slot = field.querySelector(".field-error");
    field.classList.toggle("has-error", Boolean(message));
    slot.textContent = message || "";
    slot.hidden = !message;
  }
}
