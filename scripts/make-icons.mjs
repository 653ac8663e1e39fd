// Draws manifest/color.png (192x192) and manifest/outline.png (32x32) for the Teams app package:
// two stacked upward chevrons ("level up") in white, anti-aliased by 8x8 supersampling.
// Run from the project folder: node scripts/make-icons.mjs  (needs pngjs, a devDependency)
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? process.cwd();
const require = createRequire(join(root, 'package.json'));
const { PNG } = require('pngjs');

const ACCENT_TOP = [0x2f, 0x7d, 0xd1];
const ACCENT_BOTTOM = [0x17, 0x4e, 0x96];

/** Distance from (px,py) to the segment (ax,ay)-(bx,by). */
function segDist(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  const qx = ax + t * dx - px, qy = ay + t * dy - py;
  return Math.hypot(qx, qy);
}

/** Shape in unit coordinates (0..1): two upward chevrons with round caps. */
function chevrons(u, v, { half, stroke, tops, width }) {
  const r = stroke / 2;
  for (const top of tops) {
    const cx = 0.5, left = cx - width / 2, right = cx + width / 2, bottom = top + half;
    if (segDist(u, v, left, bottom, cx, top) <= r || segDist(u, v, cx, top, right, bottom) <= r) return true;
  }
  return false;
}

function render(size, shape, paint) {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  const S = 8;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          if (shape((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size)) hits++;
        }
      }
      const [r, g, b, a] = paint(x, y, hits / (S * S));
      const i = (y * size + x) * 4;
      png.data[i] = r; png.data[i + 1] = g; png.data[i + 2] = b; png.data[i + 3] = a;
    }
  }
  return PNG.sync.write(png, { colorType: 6 });
}

// color.png: full-bleed accent gradient, white chevrons inside Teams' central safe area.
const colorShape = (u, v) => chevrons(u, v, { half: 0.2, stroke: 0.115, tops: [0.3, 0.5], width: 0.46 });
const color = render(192, colorShape, (_x, y, c) => {
  const t = y / 191;
  const bg = ACCENT_TOP.map((top, k) => top + (ACCENT_BOTTOM[k] - top) * t);
  return [...bg.map((ch) => Math.round(ch + (255 - ch) * c)), 255];
});

// outline.png: white only, on transparent; coverage becomes alpha.
const outlineShape = (u, v) => chevrons(u, v, { half: 0.22, stroke: 0.15, tops: [0.25, 0.53], width: 0.64 });
const outline = render(32, outlineShape, (_x, _y, c) => (c === 0 ? [0, 0, 0, 0] : [255, 255, 255, Math.round(255 * c)]));

writeFileSync(join(root, 'manifest/color.png'), color);
writeFileSync(join(root, 'manifest/outline.png'), outline);
console.log('wrote manifest/color.png and manifest/outline.png');
