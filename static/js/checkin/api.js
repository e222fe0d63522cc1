// Calls to the check-in API. Every method resolves to the server's JSON answer
// ({result, attendee, village} for checkIn/undo), or rejects with an ApiError
// (the server refused: status and French message) or a NetworkError (no answer).
// An offline layer can wrap this object and keep the same methods and answers.

const TIMEOUT_MS = 8000;

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || "Erreur " + status);
    this.status = status;
    this.body = body || {};
  }
}

export class NetworkError extends Error {}

export function createApi(config) {
  async function request(method, url, payload) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    const headers = { Accept: "application/json" };
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = config.csrfToken;
    }
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: payload === undefined ? undefined : JSON.stringify(payload),
        credentials: "same-origin",
        signal: controller.signal,
      });
    } catch (error) {
      throw new NetworkError("Réseau indisponible");
    } finally {
      clearTimeout(timer);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  return {
    village: config.village,
    checkIn: (fields) => request("POST", config.checkinUrl, { village: config.village, ...fields }),
    undo: (fields) => request("POST", config.undoUrl, { village: config.village, ...fields }),
    search: (query) => request("GET", config.searchUrl + "?q=" + encodeURIComponent(query)),
    attendance: () => request("GET", config.attendanceUrl),
    walkIn: (fields) => request("POST", config.walkInUrl, fields),
  };
}

export function configFrom(element) {
  const data = element.dataset;
  const meta = document.querySelector('meta[name="csrf-token"]');
  return {
    village: data.village,
    checkinUrl: data.checkinUrl,
    undoUrl: data.undoUrl,
    searchUrl: data.searchUrl,
    attendanceUrl: data.attendanceUrl,
    walkInUrl: data.walkInUrl,
    csrfToken: meta ? meta.content : "",
  };
}
