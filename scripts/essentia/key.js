// Reads 44.1 kHz mono float32 little-endian samples on stdin and prints
// Essentia's KeyExtractor result (essentia.js, WebAssembly) as JSON.
'use strict';
const { EssentiaWASM, Essentia } = require('essentia.js');

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const buf = Buffer.concat(chunks);
  const x = new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.length / 4));
  const essentia = new Essentia(EssentiaWASM);
  const v = essentia.arrayToVector(x);
  const profile = process.argv[2] || 'bgate';
  const r = essentia.KeyExtractor(v, true, 4096, 4096, 12, 3500, 60, 25, 0.2, profile, 44100);
  process.stdout.write(JSON.stringify({ key: r.key, scale: r.scale, strength: r.strength }) + '\n');
});
