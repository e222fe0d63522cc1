// Ignores a code read again and again while the same badge stays in front of the camera.
// The quiet period restarts at every sighting, so a badge held still is submitted once;
// shown again after a pause, it is submitted again (and answered « déjà entré »).

export function createDeduper(quietMs = 3000, now = () => Date.now()) {
  const lastSeen = new Map();
  return function isFresh(code) {
    const time = now();
    const previous = lastSeen.get(code);
    lastSeen.set(code, time);
    for (const [other, seen] of lastSeen) {
      if (time - seen > quietMs) lastSeen.delete(other);
    }
    return previous === undefined || time - previous > quietMs;
  };
}
