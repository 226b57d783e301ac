'use strict';
// Decodes the images of chat requests (data: URIs holding PNG or JPEG) into RGB
// pixel arrays, with pure-JavaScript decoders (no native modules).
const { PNG } = require('pngjs');
const jpeg = require('jpeg-js');

const MAX_PIXELS = 40e6; // refuse decompression bombs

class BadImage extends Error {}

/** Parses a data: URI; returns {mime, bytes}. */
function parseDataURI(uri) {
  if (typeof uri !== 'string') throw new BadImage('image_url.url must be a string');
  if (!uri.startsWith('data:')) {
    throw new BadImage('only data: URIs are accepted (this server works offline and fetches nothing)');
  }
  const comma = uri.indexOf(',');
  if (comma < 0) throw new BadImage('malformed data: URI (no comma)');
  const meta = uri.slice(5, comma).split(';');
  if (!meta.includes('base64')) throw new BadImage('data: URI must be base64-encoded');
  return { mime: meta[0].toLowerCase(), bytes: Buffer.from(uri.slice(comma + 1), 'base64') };
}

/** Decodes PNG or JPEG bytes (sniffed, the MIME type is only a hint) to {width, height, rgb}. */
function decode(bytes) {
  let img;
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) {
    try {
      img = PNG.sync.read(bytes); // always RGBA, 8 bits per channel
    } catch (e) {
      throw new BadImage(`unreadable PNG: ${e.message}`);
    }
  } else if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
    } catch (e) {
      throw new BadImage(`unreadable JPEG: ${e.message}`);
    }
  } else {
    throw new BadImage('unsupported image format (PNG and JPEG are accepted)');
  }
  const { width, height, data } = img;
  if (!(width > 0 && height > 0) || width * height > MAX_PIXELS) {
    throw new BadImage(`image size ${width}x${height} is not acceptable`);
  }
  // Drop alpha; greyscale PNGs arrive with R = G = B, which is what the
  // expression net (trained on colour faces) expects of a grey face.
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    rgb[3 * i] = data[j];
    rgb[3 * i + 1] = data[j + 1];
    rgb[3 * i + 2] = data[j + 2];
  }
  return { width, height, rgb };
}

module.exports = { BadImage, parseDataURI, decode };
