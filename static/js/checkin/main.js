// The scanner page: wires the camera, the hand-held reader field, the name search,
// walk-ins, undo and the live counters to the check-in API.
import { ApiError, configFrom, createApi } from "./api.js";
import { cameraAvailable, startScanning } from "./camera.js";
import { createDeduper } from "./dedupe.js";
import { createOfflineApi, registerServiceWorker } from "./offline.js";
import { signal, unlockSound } from "./feedback.js";
import { shortCode } from "./short-code.js";
import * as ui from "./ui.js";

const ATTENDANCE_EVERY_MS = 5000;
const SEARCH_DELAY_MS = 250;

const root = document.getElementById("checkin");
// Without network, the offline layer decides from the roster kept on the phone.
const api = createOfflineApi(createApi(configFrom(root)), root);
registerServiceWorker(root.dataset.serviceWorkerUrl);
const isFresh = createDeduper(3000);
const inFlight = new Set();

function failure(error) {
  if (error instanceof ApiError && error.status === 401) {
    ui.showProblem("unauthorised", "Lien d'accueil expiré", error.message);
  } else if (error instanceof ApiError) {
    ui.showProblem("refused", "Action impossible", error.message);
  } else {
    ui.showProblem("network_error", "Pas de réseau", "La demande n'est pas partie\u00a0: réessayez dans un instant.");
  }
  signal("error");
}

async function refreshAttendance() {
  try {
    ui.renderAttendance(await api.attendance());
  } catch (error) {
    // The counters wait for the next poll; scanning matters more than a figure.
  }
}

// Rehearsal mode: volunteers train with real badges; the server (and the phone offline)
// answers as on the day and writes nothing.
const rehearsalToggle = document.getElementById("rehearsal-toggle");

function rehearsing() {
  return rehearsalToggle.checked;
}

rehearsalToggle.addEventListener("change", () => {
  document.getElementById("rehearsal-banner").hidden = !rehearsing();
  root.dataset.rehearsal = rehearsing() ? "yes" : "no";
});

async function admit(fields) {
  try {
    const answer = await api.checkIn(rehearsing() ? { ...fields, rehearsal: true } : fields);
    ui.showResult(answer, { onUndo: undo });
    ui.addRecent(answer, { onUndo: undo });
    signal(ui.kindOf(answer.result));
    refreshAttendance();
    return answer;
  } catch (error) {
    failure(error);
    return null;
  }
}

async function undo(person) {
  const reason = await ui.askReason(person);
  if (reason === null) return;
  try {
    const answer = await api.undo({ registration_id: person.id, reason });
    ui.hideResult();
    ui.markUndone(person);
    refreshAttendance();
    refreshSearch();
    if (answer.result !== "undone") ui.showProblem(answer.result, "Rien à annuler", "Aucune entrée de " + person.name + " n'est enregistrée.");
  } catch (error) {
    failure(error);
  }
}

function onCode(text) {
  if (!isFresh(text) || inFlight.has(text)) return;
  inFlight.add(text);
  admit({ code: text, method: "scan" }).finally(() => inFlight.delete(text));
}

async function startCamera() {
  if (!cameraAvailable()) {
    ui.setCameraStatus("Caméra indisponible sur cet appareil (il faut une connexion https)\u00a0: utilisez la recherche par nom.");
    return;
  }
  ui.setCameraStatus("Démarrage de la caméra…");
  try {
    await startScanning(document.getElementById("camera-video"), onCode);
    ui.setCameraStatus("Présentez un badge devant la caméra.");
  } catch (error) {
    ui.setCameraStatus("La caméra n'a pas démarré\u00a0: autorisez-la, puis touchez le bouton.", { showStart: true });
  }
}

// Hand-held barcode readers type the code and press Enter.
document.getElementById("code-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("code-input");
  const code = input.value.trim();
  input.value = "";
  if (shortCode(code)) {
    // A short code finds the person, whom the volunteer admits after checking the name.
    searchInput.value = code;
    searchInput.scrollIntoView({ block: "start" });
    refreshSearch();
  } else if (code) {
    admit({ code, method: "manual" });
  }
});

// Search by name
const searchInput = document.getElementById("search-input");
const searchStatus = document.getElementById("search-status");
let searchTimer = null;

async function refreshSearch() {
  const query = searchInput.value.trim();
  if (query.length < 2) {
    ui.renderSearchResults([], {});
    searchStatus.textContent = "";
    return;
  }
  try {
    const { results } = await api.search(query);
    ui.renderSearchResults(results, {
      onCheckIn: async (person) => {
        await admit({ registration_id: person.id });
        refreshSearch();
      },
      onUndo: undo,
    });
    if (!results.length) searchStatus.textContent = "Personne ne correspond à «\u00a0" + query + "\u00a0».";
    else if (shortCode(query)) searchStatus.textContent = "Code du badge\u00a0: demandez son nom à la personne et vérifiez-le avant de la faire entrer.";
    else searchStatus.textContent = "";
  } catch (error) {
    searchStatus.textContent = "La recherche n'a pas abouti\u00a0: réessayez.";
  }
}

searchInput.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(refreshSearch, SEARCH_DELAY_MS);
});

// Walk-ins
const walkInForm = document.getElementById("walk-in-form");
const refusedBox = document.getElementById("walk-in-refused");
const overrideButton = document.getElementById("walk-in-override");
// The id of the arrival being typed: the same person sent twice (a double tap, a retry, the
// offline queue after a call that timed out) is registered once. A new one once registered.
let walkInId = crypto.randomUUID();

async function registerWalkIn(overCapacity) {
  const fields = Object.fromEntries(new FormData(walkInForm));
  try {
    const answer = await api.walkIn({ ...fields, scan_id: walkInId, over_capacity: overCapacity,
                                      ...(rehearsing() ? { rehearsal: true } : {}) });
    if (answer.result !== "ok") {
      ui.showResult(answer, { onUndo: undo });
      signal(ui.kindOf(answer.result));
      return;
    }
    if (!answer.rehearsal) walkInId = crypto.randomUUID();
    walkInForm.reset();
    refusedBox.hidden = true;
    ui.showFieldErrors(walkInForm, {});
    document.getElementById("walk-in").open = false;
    ui.showResult(answer, { onUndo: undo });
    ui.addRecent(answer, { onUndo: undo });
    signal("ok");
    refreshAttendance();
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) {
      ui.showFieldErrors(walkInForm, error.body.errors || {});
      refusedBox.hidden = true;
    } else if (error instanceof ApiError && error.status === 409) {
      ui.showFieldErrors(walkInForm, {});
      document.getElementById("walk-in-refused-message").textContent = error.message;
      overrideButton.hidden = !error.body.may_override;
      refusedBox.hidden = false;
    } else {
      failure(error);
    }
  }
}

walkInForm.addEventListener("submit", (event) => {
  event.preventDefault();
  registerWalkIn(false);
});
overrideButton.addEventListener("click", () => registerWalkIn(true));

document.getElementById("result-close").addEventListener("click", ui.hideResult);
document.getElementById("camera-start").addEventListener("click", startCamera);
document.addEventListener("pointerdown", unlockSound);
document.addEventListener("keydown", unlockSound);

startCamera();
refreshAttendance();
setInterval(refreshAttendance, ATTENDANCE_EVERY_MS);
