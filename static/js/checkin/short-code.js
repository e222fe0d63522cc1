// The short code printed on badges ("K7M-4QX"), for when a camera fails. It only finds the
// person, as a name does: the volunteer checks the name before admitting them.
// Same alphabet and length as app/models/registration.py.
const ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679";
const LENGTH = 6;

export function shortCode(text) {
  const letters = (text || "").replace(/[\s-]/g, "").toUpperCase();
  if (letters.length !== LENGTH) return null;
  return [...letters].every((letter) => ALPHABET.includes(letter)) ? letters : null;
}
