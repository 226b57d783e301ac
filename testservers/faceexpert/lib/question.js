'use strict';
// Maps a yes/no question about a facial expression onto one of the seven classes
// of face-api's expression model, and turns class probabilities into an answer.

/** The classes of face-api's expression model, in its output order. */
const CLASSES = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];

// Words that name each class (lower case, whole words). "contempt" is listed as
// a known emotion the model has no class for, so the server can say it cannot
// tell instead of answering a question about something it never looks at.
const WORDS = {
  neutral: ['neutral', 'calm', 'expressionless', 'blank'],
  happy: ['happy', 'happiness', 'joy', 'joyful', 'smiling', 'cheerful'],
  sad: ['sad', 'sadness', 'unhappy', 'sorrowful'],
  angry: ['angry', 'anger', 'furious', 'mad'],
  fearful: ['fearful', 'fear', 'afraid', 'scared', 'frightened', 'terrified'],
  disgusted: ['disgusted', 'disgust'],
  surprised: ['surprised', 'surprise', 'astonished', 'amazed'],
  contempt: ['contempt', 'contemptuous', 'scornful'],
};

const lookup = new Map();
for (const [cls, words] of Object.entries(WORDS)) {
  for (const w of words) lookup.set(w, cls);
}

/**
 * Returns the part of a prompt that is the question: the text after the last
 * "Question:" label when there is one (emohallucer's templates put context and
 * instructions around it), else the whole text.
 */
function questionOf(prompt) {
  const re = /question\s*:/gi;
  let last = -1;
  for (let m = re.exec(prompt); m; m = re.exec(prompt)) last = m.index + m[0].length;
  let q = last >= 0 ? prompt.slice(last) : prompt;
  // The question ends at its line; instructions follow on later lines.
  if (last >= 0) {
    const nl = q.trim().indexOf('\n');
    q = nl >= 0 ? q.trim().slice(0, nl) : q.trim();
  }
  return q.trim();
}

/**
 * Finds the expression class a question asks about.
 * Returns {cls} for exactly one known class, {cls: 'contempt'} for contempt
 * (no model class), or {error} when the question names none or several.
 */
function askedClass(prompt) {
  const q = questionOf(prompt).toLowerCase();
  const found = new Set();
  for (const w of q.match(/\p{L}+/gu) || []) {
    const c = lookup.get(w);
    if (c) found.add(c);
  }
  if (found.size === 0) return { error: 'the question names none of the expressions this classifier knows' };
  if (found.size > 1) return { error: `the question names several expressions (${[...found].join(', ')})` };
  return { cls: [...found][0] };
}

/**
 * Decides a yes/no answer from class probabilities (an object class → p).
 * Rule "top1": yes when the asked class is the most probable one. The confidence
 * reported with it, pYes = p(asked) / (p(asked) + p(strongest other class)), is
 * ≥ 0.5 exactly when the answer is yes, so it orders answers consistently with
 * the decision (used as the yes/no token probabilities).
 */
function decide(probs, cls) {
  const pAsked = probs[cls] ?? 0;
  let other = 0;
  let top = cls;
  for (const c of CLASSES) {
    if (c === cls) continue;
    if (probs[c] > other) other = probs[c];
    if (probs[c] > (probs[top] ?? 0)) top = c;
  }
  const sum = pAsked + other;
  const pYes = sum > 0 ? pAsked / sum : 0.5;
  return { answer: top === cls ? 'yes' : 'no', pYes, top };
}

module.exports = { CLASSES, WORDS, questionOf, askedClass, decide };
