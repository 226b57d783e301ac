#!/usr/bin/env node
'use strict';
// faceexpert: an OpenAI-compatible chat-completions server whose "model" is the
// facial-expression classifier of @vladmandic/face-api (7 classes: neutral,
// happy, sad, angry, fearful, disgusted, surprised), run offline on TensorFlow.js'
// WASM backend. It answers yes/no questions such as "Does the person in the image
// look angry?" about the image in the request, so emohallucer can score a
// specialised classifier exactly as it scores a multimodal LLM.
//
// How an answer is made (documented in README.md as well):
//   1. The last user message must hold one image (a data: URI, PNG or JPEG).
//   2. The face: images whose sides are both at most --detect-above pixels (the
//      48×48 FER+ crops) are taken whole as the face. Larger images go through
//      face-api's tiny face detector and the most confident face is cropped; when
//      no face is found the whole image is used. The face is resized to the
//      expression net's 112×112 input by face-api itself.
//   3. The question is the text after the last "Question:" (or the whole text);
//      it must name exactly one expression class (synonyms in lib/question.js).
//      Contempt, which the model has no class for, and questions naming none or
//      several classes get "I cannot tell: …" (an unparsed answer).
//   4. Rule top1: "yes" when the asked class is the most probable, else "no".
//      With logprobs: true the reply carries token log-probabilities for "yes"
//      and "no" from pYes = p(asked) / (p(asked) + p(strongest other class)).
//
// Usage: node server.js [--host 127.0.0.1] [--port 0] [--model face-api-expression]
//                       [--detect-above 112]
// The first line on stdout is "faceexpert listening on http://HOST:PORT/v1".

const http = require('http');
const path = require('path');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const { askedClass, decide, CLASSES } = require('./lib/question');
const { BadImage, parseDataURI, decode } = require('./lib/image');

const MAX_BODY = 32 << 20;
// Nominal token counts, so usage-based accounting (and emohallucer's check for
// servers that drop images) sees images cost something: one token per 16×16
// patch of the net's 112×112 input, and text at 4 bytes per token.
const IMAGE_TOKENS = 49;
const textTokens = (s) => Math.ceil(Buffer.byteLength(s, 'utf8') / 4);

function parseArgs(argv) {
  const o = { host: '127.0.0.1', port: 0, model: 'face-api-expression', detectAbove: 112 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--host') o.host = v();
    else if (a === '--port') o.port = Number(v());
    else if (a === '--model') o.model = v();
    else if (a === '--detect-above') o.detectAbove = Number(v());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error('--port must be 0..65535');
  if (!(o.detectAbove > 0)) throw new Error('--detect-above must be a positive number of pixels');
  return o;
}

async function loadModels() {
  await tf.setBackend('wasm');
  await tf.ready();
  const dir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.faceExpressionNet.loadFromDisk(dir);
  await faceapi.nets.tinyFaceDetector.loadFromDisk(dir);
}

// classify returns the class probabilities for the face in the image, and how
// the face was found ("whole" or "detected").
async function classify(img, detectAbove) {
  const t = tf.tensor3d(img.rgb, [img.height, img.width, 3]);
  let face = t;
  let how = 'whole';
  try {
    if (img.width > detectAbove || img.height > detectAbove) {
      const dets = await faceapi.detectAllFaces(t, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.3 }));
      if (dets.length > 0) {
        const best = dets.reduce((a, b) => (b.score > a.score ? b : a));
        const b = best.box;
        const x = Math.max(0, Math.floor(b.x));
        const y = Math.max(0, Math.floor(b.y));
        const w = Math.min(img.width - x, Math.ceil(b.width));
        const h = Math.min(img.height - y, Math.ceil(b.height));
        if (w >= 8 && h >= 8) {
          face = tf.slice(t, [y, x, 0], [h, w, 3]);
          how = 'detected';
        }
      } else {
        how = 'whole (no face detected)';
      }
    }
    const probs = await faceapi.nets.faceExpressionNet.predictExpressions(face);
    const out = {};
    for (const c of CLASSES) out[c] = probs[c];
    return { probs: out, how };
  } finally {
    if (face !== t) face.dispose();
    t.dispose();
  }
}

class HTTPError extends Error {
  constructor(status, message, type = 'invalid_request_error', code = null) {
    super(message);
    Object.assign(this, { status, type, code });
  }
}

function textAndImages(messages) {
  if (!Array.isArray(messages) || messages.length === 0) throw new HTTPError(400, 'messages must be a non-empty array');
  let user = null;
  let allText = '';
  for (const m of messages) {
    if (!m || typeof m !== 'object') throw new HTTPError(400, 'every message must be an object');
    const parts = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (!Array.isArray(parts)) throw new HTTPError(400, `message content must be a string or an array of parts`);
    for (const p of parts) if (p && p.type === 'text' && typeof p.text === 'string') allText += p.text;
    if (m.role === 'user') user = parts;
  }
  if (!user) throw new HTTPError(400, 'no user message');
  let text = '';
  const images = [];
  for (const p of user) {
    if (!p || typeof p !== 'object') throw new HTTPError(400, 'every content part must be an object');
    if (p.type === 'text') text += (text ? '\n' : '') + String(p.text ?? '');
    else if (p.type === 'image_url') images.push(p.image_url && p.image_url.url);
    else throw new HTTPError(400, `content part type ${JSON.stringify(p.type)} is not supported (text and image_url are)`);
  }
  return { text, images, allText };
}

function logprobsFor(answer, pYes, top) {
  // Clamp so the logarithms stay finite.
  const py = Math.min(Math.max(pYes, 1e-9), 1 - 1e-9);
  const alts = [
    { token: 'yes', logprob: Math.log(py), bytes: [...Buffer.from('yes')] },
    { token: 'no', logprob: Math.log(1 - py), bytes: [...Buffer.from('no')] },
  ].sort((a, b) => b.logprob - a.logprob);
  const chosen = alts.find((a) => a.token === answer);
  // OpenAI lists top_logprobs alternatives only when asked for some.
  const k = Number.isInteger(top) && top > 0 ? Math.min(top, alts.length) : 0;
  return { content: [{ ...chosen, top_logprobs: alts.slice(0, k) }], refusal: null };
}

async function complete(body, opts) {
  if (!body || typeof body !== 'object') throw new HTTPError(400, 'the body must be a JSON object');
  if (body.model !== opts.model) {
    throw new HTTPError(404, `model ${JSON.stringify(body.model)} not found; this server serves ${opts.model}`, 'invalid_request_error', 'model_not_found');
  }
  if (body.stream) throw new HTTPError(400, 'stream: true is not supported');
  if (body.n !== undefined && body.n !== 1) throw new HTTPError(400, 'only n = 1 is supported');
  const { text, images, allText } = textAndImages(body.messages);
  let content;
  let choiceLogprobs = null;
  let detail;
  if (images.length !== 1) {
    content = `I cannot tell: this classifier needs exactly one image in the question, and got ${images.length}.`;
  } else {
    let img;
    try {
      img = decode(parseDataURI(images[0]).bytes);
    } catch (e) {
      if (e instanceof BadImage) throw new HTTPError(400, `image: ${e.message}`);
      throw e;
    }
    const asked = askedClass(text);
    if (asked.error) {
      content = `I cannot tell: ${asked.error} (${CLASSES.join(', ')}).`;
    } else if (asked.cls === 'contempt') {
      content = 'I cannot tell: this classifier has no class for contempt.';
    } else {
      const { probs, how } = await classify(img, opts.detectAbove);
      const d = decide(probs, asked.cls);
      content = d.answer;
      detail = { asked: asked.cls, top: d.top, p_yes: d.pYes, face: how, probabilities: probs };
      if (body.logprobs) choiceLogprobs = logprobsFor(d.answer, d.pYes, body.top_logprobs);
    }
  }
  const promptTokens = textTokens(allText) + IMAGE_TOKENS * images.length;
  const completionTokens = textTokens(content);
  let finish = 'stop';
  const max = body.max_completion_tokens ?? body.max_tokens;
  if (Number.isInteger(max) && max > 0 && completionTokens > max) {
    // Honour the limit the way an LLM server would: cut the text, say "length".
    content = content.slice(0, max * 4);
    finish = 'length';
  }
  return {
    id: `chatcmpl-faceexpert-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: opts.model,
    system_fingerprint: 'face-api-1.7.15-expression-top1',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: choiceLogprobs, finish_reason: finish }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    // Not part of the OpenAI format: what the classifier saw, for debugging.
    faceexpert: detail ?? null,
  };
}

function send(res, status, obj) {
  const data = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    req.on('data', (c) => {
      n += c.length;
      if (n > MAX_BODY) {
        reject(new HTTPError(413, `request body larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function handler(opts) {
  return async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      const p = url.pathname.replace(/\/+$/, '');
      if (req.method === 'GET' && (p === '/health' || p === '')) return send(res, 200, { status: 'ok' });
      if (req.method === 'GET' && p === '/v1/models') {
        return send(res, 200, { object: 'list', data: [{ id: opts.model, object: 'model', created: 0, owned_by: 'face-api' }] });
      }
      if (p !== '/v1/chat/completions') throw new HTTPError(404, `no route ${req.method} ${url.pathname}`);
      if (req.method !== 'POST') throw new HTTPError(405, 'use POST');
      let body;
      try {
        body = JSON.parse((await readBody(req)).toString('utf8'));
      } catch (e) {
        if (e instanceof HTTPError) throw e;
        throw new HTTPError(400, `the body is not JSON: ${e.message}`);
      }
      send(res, 200, await complete(body, opts));
    } catch (e) {
      if (e instanceof HTTPError) {
        return send(res, e.status, { error: { message: e.message, type: e.type, param: null, code: e.code } });
      }
      console.error('faceexpert: internal error:', e);
      send(res, 500, { error: { message: `internal error: ${e.message}`, type: 'server_error', param: null, code: null } });
    }
  };
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`faceexpert: ${e.message}`);
    process.exit(2);
  }
  await loadModels();
  const server = http.createServer(handler(opts));
  server.listen(opts.port, opts.host, () => {
    const a = server.address();
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    console.log(`faceexpert listening on http://${host}:${a.port}/v1`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((e) => {
    console.error('faceexpert:', e);
    process.exit(1);
  });
}

module.exports = { complete, parseArgs, loadModels, handler };
