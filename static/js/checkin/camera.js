// The rear camera and a QR decoder: calls onCode(text) for every code seen in the video.
// Uses the browser's BarcodeDetector where it reads QR codes, else jsQR (static/vendor/jsqr).

const SCAN_INTERVAL_MS = 120;  // about 8 decodes a second: quick, and kind to phone batteries
const MAX_DECODE_WIDTH = 640;

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return async (video) => {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    };
  } catch (error) {
    return null;
  }
}

function jsqrDetector() {
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    if (!window.jsQR || !video.videoWidth) return null;
    const scale = Math.min(1, MAX_DECODE_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  };
}

export async function createDetector() {
  return (await nativeDetector()) || jsqrDetector();
}

export function cameraAvailable() {
  return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

// Starts the camera in `video` and decodes continuously. Returns a function that stops both.
export async function startScanning(video, onCode) {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
  });
  video.srcObject = stream;
  await video.play();
  const detect = await createDetector();
  let running = true;
  let timer = null;

  async function tick() {
    if (!running) return;
    try {
      if (video.readyState >= 2) {
        const text = await detect(video);
        if (text) onCode(text);
      }
    } catch (error) {
      // A frame that cannot be read (camera switching, tab hidden) is simply skipped.
    }
    if (running) timer = setTimeout(tick, SCAN_INTERVAL_MS);
  }
  tick();

  return function stop() {
    running = false;
    clearTimeout(timer);
    stream.getTracks().forEach((track) => track.stop());
  };
}
