// A short sound and a vibration, different for each colour, so volunteers need not look.

const TONES = {
  ok: [[880, 0.12]],
  warn: [[660, 0.12], [660, 0.12]],
  error: [[220, 0.35]],
};
const VIBRATIONS = { ok: [80], warn: [80, 60, 80], error: [300] };

let audio = null;

// Browsers only allow sound after a user gesture: call this from one (any tap on the page).
export function unlockSound() {
  const AudioContext = window.AudioContext || window.webkitAudioContext;
  if (!AudioContext) return;
  if (!audio) audio = new AudioContext();
  if (audio.state === "suspended") audio.resume();
}

export function signal(kind) {
  if (navigator.vibrate) navigator.vibrate(VIBRATIONS[kind]);
  if (!audio || audio.state !== "running") return;
  let start = audio.currentTime;
  for (const [frequency, duration] of TONES[kind]) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = "square";
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.15;
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + duration);
    start += duration + 0.06;
  }
}
