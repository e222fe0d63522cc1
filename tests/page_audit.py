"""What the page audit looks for on a page, in the browser and in its text.

Each check returns sentences saying what is wrong and where, so that a failure names the page,
the screen width and the element without anyone opening a debugger.
"""
from __future__ import annotations

import re

# Run in the page: elements wider than the screen, words broken across lines, blocks whose lines
# hold a handful of characters. Returns a list of short descriptions.
LAYOUT_SCRIPT = r"""
() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    else if (el.classList.length) name += '.' + [...el.classList].join('.');
    const text = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50);
    return text ? `${name} « ${text} »` : name;
  };
  // Inside a region that scrolls on purpose (a wide table says so), width is allowed.
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (['auto', 'scroll'].includes(style.overflowX) && p !== document.documentElement && p !== document.body) return p;
    }
    return null;
  };
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push(`la page fait ${document.documentElement.scrollWidth} px de large pour un écran de ${width} px`);
    const wide = [...document.body.querySelectorAll('*')].filter((el) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.right > width + 1 && !scrolls(el);
    });
    // The innermost ones say what is too wide.
    const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
    innermost.slice(0, 5).forEach((el) => problems.push(`plus large que l'écran : ${describe(el)} (jusqu'à ${Math.round(el.getBoundingClientRect().right)} px)`));
  }
  // A region that hides columns behind its own scroll bar must say so (a visible hint).
  for (const region of document.querySelectorAll('body *')) {
    const style = getComputedStyle(region);
    if (!['auto', 'scroll'].includes(style.overflowX) || region.scrollWidth <= region.clientWidth + 1) continue;
    if (region.clientWidth === 0) continue;
    const hint = region.closest('.table-scroll')?.querySelector('.table-hint');
    if (!hint || hint.getBoundingClientRect().height === 0) {
      problems.push(`contenu coupé derrière une barre de défilement sans le dire : ${describe(region)} (${region.scrollWidth} px dans ${region.clientWidth} px)`);
    }
  }
  // Boxes to tick are as large everywhere (22 px), easy to hit on a phone.
  for (const box of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    const size = box.getBoundingClientRect();
    if (size.width > 0 && size.width < 20 && !box.closest('.honeypot, [hidden]')) {
      problems.push(`case à cocher de ${Math.round(size.width)} px (22 px ailleurs) : ${describe(box.closest('label') || box)}`);
      break;
    }
  }
  // Text that reads: visible, not the honeypot, not hidden from everyone.
  const shown = (el) => el && !el.closest('script, style, noscript, svg, [hidden], [aria-hidden="true"], .visually-hidden, textarea, option, select');
  const range = document.createRange();
  // The lines a text node is drawn on (their tops, a few pixels apart counting as one).
  const linesOf = (node, start = 0, end = node.textContent.length) => {
    range.setStart(node, start);
    range.setEnd(node, end);
    const tops = [];
    for (const rect of range.getClientRects()) {
      if (rect.width > 0 && !tops.some((top) => Math.abs(top - rect.top) < 4)) tops.push(rect.top);
    }
    return tops;
  };
  // Words broken across lines (« mard / i »): a word of up to 20 characters drawn on two lines.
  // Longer ones (codes) and addresses or links may break rather than widen the page; a compound word
  // may break at its hyphen.
  const broken = new Map();
  const blocks = new Map();  // block -> [characters, line tops]
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!shown(parent) || !node.textContent.trim()) continue;
    for (const match of node.textContent.matchAll(/[^\s\u00a0\u202f]+/g)) {
      if (/:\/\/|@|^www\./.test(match[0])) continue;  // addresses and links break where they must
      let at = match.index;
      for (const part of match[0].split(/(?<=[-‐\/])/)) {
        if (part.length >= 2 && part.length <= 20 && !broken.has(parent) && linesOf(node, at, at + part.length).length > 1) {
          broken.set(parent, part);
        }
        at += part.length;
      }
    }
    let block = parent;
    while (block.parentElement && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    const [chars, tops] = blocks.get(block) || [0, []];
    for (const top of linesOf(node)) if (!tops.some((t) => Math.abs(t - top) < 4)) tops.push(top);
    blocks.set(block, [chars + node.textContent.trim().length, tops]);
  }
  [...broken.entries()].slice(0, 8).forEach(([el, word]) => problems.push(`mot coupé en fin de ligne « ${word} » dans ${describe(el)}`));
  // Blocks whose lines hold a handful of characters (« mard / i 5 / janvi / er »): a column too
  // narrow for its text. One word a line, in a wide table's heading, is allowed.
  for (const [block, [chars, tops]] of blocks) {
    if (chars >= 12 && tops.length >= 3 && chars / tops.length < 6) {
      problems.push(`texte sur ${tops.length} lignes de quelques lettres : ${describe(block)}`);
    }
  }
  return problems;
}
"""

# The page's text as read, without what it shows as code to type (« {prénom} » in a message).
READ_TEXT_SCRIPT = """
() => {
  const typed = [...document.querySelectorAll('code, kbd')];
  typed.forEach((el) => el.style.setProperty('display', 'none'));
  const text = document.body.innerText;
  typed.forEach((el) => el.style.removeProperty('display'));
  return text;
}
"""

# What is code, not French, when a reader sees it.
RAW_CODE = [
    (re.compile(r"\{[a-z_]+\}"), "un emplacement non rempli"),
    (re.compile(r"\b(?:None|True|False|null|undefined|NaN)\b"), "une valeur de programme"),
    (re.compile(r"\{'|\['|'\]|'\}|\bobject at 0x"), "une structure Python"),
    (re.compile(r"\bCode \d{3}\b"), "un code d'erreur HTTP"),
    (re.compile(r"\((?:texte|version) \d{4}-[\w-]+\)"), "un code de version interne"),
    (re.compile(r"\b(?:This field|Not a valid|Field must|Invalid|Submit|Not Found|Bad Request|Forbidden|"
                r"Too Many Requests|Internal Server Error|Method Not Allowed|Unauthorized|Traceback|"
                r"downloaded|created|updated|deleted|pending|confirmed|waitlisted|cancelled)\b"),
     "des mots anglais"),
]
# « de Élodie », « que Avignon », « de Administrateur »: French elides before a vowel.
MISSING_ELISION = re.compile(r"\b(?:[Dd]e|[Qq]ue|[Jj]usque) (?=[AEIOUÉÈÊÂÎÔaeiouéèêâîô])\w+")
# A plain space before « ? ! ; : » or inside « »: the mark may start a line alone.
BREAKABLE_MARK = re.compile(r"\w+ [?!;:»]|« \w+")


def text_problems(text: str) -> list[str]:
    problems = []
    for pattern, what in RAW_CODE:
        for found in sorted(set(pattern.findall(text)))[:3]:
            problems.append(f"{what} à l'écran : « {found} » ({context(text, found)})")
    for found in sorted(set(MISSING_ELISION.findall(text)))[:3]:
        problems.append(f"élision manquante : « {found} » ({context(text, found)})")
    for found in sorted(set(BREAKABLE_MARK.findall(text)))[:3]:
        problems.append(f"espace sécable devant une ponctuation : « {found} » ({context(text, found)})")
    return problems


def context(text: str, found: str) -> str:
    at = text.find(found)
    return "…" + " ".join(text[max(0, at - 40):at + len(found) + 40].split()) + "…"


def doubled_charset(content_type: str | None) -> bool:
    return (content_type or "").lower().count("charset") > 1
