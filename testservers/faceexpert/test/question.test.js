'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { questionOf, askedClass, decide, CLASSES } = require('../lib/question');

test('questionOf takes the line after the last Question: label', () => {
  const prompt = 'A happy review.\n\nLook at the image above.\nQuestion: Does the person in the image look angry?\nAnswer with a single word: yes or no.';
  assert.equal(questionOf(prompt), 'Does the person in the image look angry?');
  assert.equal(questionOf('Is she sad?'), 'Is she sad?');
});

test('askedClass maps words and synonyms to classes', () => {
  const cases = [
    ['Does the person in the image look angry?', 'angry'],
    ['Question: Is the face showing anger?\nAnswer yes or no, not happy words.', 'angry'],
    ['Does the person look scared?', 'fearful'],
    ['Does the person look afraid?', 'fearful'],
    ['Does the person in the image look calm?', 'neutral'],
    ['Does the person in the image look disgusted?', 'disgusted'],
    ['Does the person in the image look surprised?', 'surprised'],
    ['Does the person in the image look happy?', 'happy'],
    ['Does the person in the image look sad?', 'sad'],
    ['Does the person in the image look contemptuous?', 'contempt'],
  ];
  for (const [q, want] of cases) assert.deepEqual(askedClass(q), { cls: want }, q);
});

test('askedClass refuses questions naming no class or several', () => {
  for (const q of ['Does the face show raised cheeks and lip corners pulled up into a smile?', 'Is the person happy or sad?', '']) {
    assert.ok(askedClass(q).error, q);
  }
});

test('decide answers yes exactly when the asked class is on top, with a consistent pYes', () => {
  const probs = { neutral: 0.1, happy: 0.6, sad: 0.05, angry: 0.2, fearful: 0.02, disgusted: 0.02, surprised: 0.01 };
  const yes = decide(probs, 'happy');
  assert.equal(yes.answer, 'yes');
  assert.ok(Math.abs(yes.pYes - 0.6 / 0.8) < 1e-12);
  const no = decide(probs, 'angry');
  assert.equal(no.answer, 'no');
  assert.equal(no.top, 'happy');
  assert.ok(Math.abs(no.pYes - 0.2 / 0.8) < 1e-12);
  for (const c of CLASSES) {
    const d = decide(probs, c);
    assert.equal(d.answer === 'yes', d.pYes >= 0.5, c);
  }
});
