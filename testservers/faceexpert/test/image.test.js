'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { PNG } = require('pngjs');
const jpeg = require('jpeg-js');
const { BadImage, parseDataURI, decode } = require('../lib/image');

function greyPNG(w, h, v) {
  const buf = Buffer.alloc(w * h, v);
  return PNG.sync.write({ width: w, height: h, data: buf }, { colorType: 0, inputColorType: 0, bitDepth: 8 });
}

test('decodes a greyscale PNG from a data: URI into equal RGB channels', () => {
  const bytes = greyPNG(48, 48, 77);
  const { mime, bytes: got } = parseDataURI('data:image/png;base64,' + bytes.toString('base64'));
  assert.equal(mime, 'image/png');
  const img = decode(got);
  assert.equal(img.width, 48);
  assert.equal(img.height, 48);
  assert.equal(img.rgb.length, 48 * 48 * 3);
  assert.deepEqual([img.rgb[0], img.rgb[1], img.rgb[2]], [77, 77, 77]);
});

test('decodes a JPEG', () => {
  const w = 16, h = 8;
  const data = Buffer.alloc(w * h * 4, 200);
  const enc = jpeg.encode({ width: w, height: h, data }, 90).data;
  const img = decode(enc);
  assert.equal(img.width, w);
  assert.equal(img.height, h);
  assert.ok(Math.abs(img.rgb[0] - 200) < 4);
});

test('refuses what it cannot use', () => {
  const bad = [
    () => parseDataURI('https://example.com/a.png'),
    () => parseDataURI('data:image/png,abc'),
    () => parseDataURI('data:image/png;base64'),
    () => decode(Buffer.from('GIF89a......')),
    () => decode(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(20)])),
  ];
  for (const f of bad) assert.throws(f, BadImage);
});
