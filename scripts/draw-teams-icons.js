#!/usr/bin/env node
// Draws the Teams app's two icons into adapters/teams/package/ (committed; run again only to change
// them): color.png, 192×192, a white ticket on the accent colour, full bleed (Teams rounds the
// corners itself); outline.png, 32×32, the same ticket as a white line on transparency (Teams tints
// it, and refuses any other colour). Written with node's zlib alone: 8-bit RGBA, each row unfiltered.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const zlib = require('node:zlib');

const OUT = join(__dirname, '..', 'adapters', 'teams', 'package');
const ACCENT = [0x1d, 0x35, 0x57]; // manifest.yml's background_color, the manifest's accentColor
const WHITE = [0xff, 0xff, 0xff];
const SAMPLES = 4; // 4×4 samples a pixel: smooth edges without an image library

/** Signed distance to a rectangle with rounded corners (negative inside). */
function roundedRect(x, y, cx, cy, halfWidth, halfHeight, radius) {
  const qx = Math.abs(x - cx) - (halfWidth - radius);
  const qy = Math.abs(y - cy) - (halfHeight - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

const circle = (x, y, cx, cy, radius) => Math.hypot(x - cx, y - cy) - radius;

/** A ticket: a rounded rectangle with a half-round notch cut into each short side. */
function ticket(x, y, t) {
  const body = roundedRect(x, y, t.cx, t.cy, t.width / 2, t.height / 2, t.radius);
  const left = circle(x, y, t.cx - t.width / 2, t.cy, t.notch);
  const right = circle(x, y, t.cx + t.width / 2, t.cy, t.notch);
  return Math.max(body, -left, -right);
}

/** The perforation: dots down the ticket, a third of the way in from the left. */
function perforated(x, y, t) {
  const px = t.cx - t.width / 2 + t.width / 3;
  for (let dy = -t.height / 2 + t.dotGap; dy < t.height / 2 - t.dotGap / 2; dy += t.dotGap) {
    if (circle(x, y, px, t.cy + dy, t.dot) < 0) return true;
  }
  return false;
}

/** RGBA pixels: `paint(x, y)` gives a sample's [r, g, b, a] (0–255), averaged over SAMPLES² samples. */
function draw(size, paint) {
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const [r, g, b, a] = paint(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES);
          // Premultiplied, so a transparent sample adds no colour to the edge.
          sum[0] += (r * a) / 255;
          sum[1] += (g * a) / 255;
          sum[2] += (b * a) / 255;
          sum[3] += a;
        }
      }
      const alpha = sum[3] / (SAMPLES * SAMPLES);
      const at = (y * size + x) * 4;
      // A pixel nobody painted is white too: transparent, and not a stray colour to a strict checker.
      for (let c = 0; c < 3; c++) pixels[at + c] = alpha === 0 ? 255 : Math.round((sum[c] / sum[3]) * 255);
      pixels[at + 3] = Math.round(alpha);
    }
  }
  return pixels;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size, pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1)); // each row: filter 0 (none), then its pixels
  for (let y = 0; y < size; y++) pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// The colour icon: the ticket inside the middle 120×120, where Teams' own icons keep their symbol.
const big = { cx: 96, cy: 96, width: 116, height: 72, radius: 10, notch: 13, dot: 3.2, dotGap: 12 };
const color = draw(192, (x, y) => (ticket(x, y, big) < 0 && !perforated(x, y, big) ? [...WHITE, 255] : [...ACCENT, 255]));

// The outline icon: a 2-pixel white line around the same ticket, filling the 32×32.
const small = { cx: 16, cy: 16, width: 28, height: 18, radius: 3, notch: 4, dot: 1, dotGap: 4 };
const outline = draw(32, (x, y) => (Math.abs(ticket(x, y, small)) < 1 || perforated(x, y, small) ? [...WHITE, 255] : [...WHITE, 0]));

writeFileSync(join(OUT, 'color.png'), png(192, color));
writeFileSync(join(OUT, 'outline.png'), png(32, outline));
process.stdout.write(`Wrote ${join(OUT, 'color.png')} and ${join(OUT, 'outline.png')}\n`);
