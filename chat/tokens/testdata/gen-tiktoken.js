// Regenerates tiktoken.json with the upstream tokenizer (npm "tiktoken", OpenAI's tiktoken in WASM):
//   npm install tiktoken && node gen-tiktoken.js > tiktoken.json
const { get_encoding } = require("tiktoken");
const samples = [
  "hello world",
  "tiktoken is great!",
  "The quick brown fox jumps over the lazy dog.",
  "  leading spaces and trailing   ",
  "\n\n\nnewlines\r\nand tabs\t\there",
  "Ünïcödé: naïve café, Straße, ½ ≤ ∞",
  "日本語のテキストと中文文本，还有한국어.",
  "emoji 👩‍💻🚀🇫🇷 and ZWJ sequences",
  "func main() {\n\tfmt.Println(\"hi\")\n}\n",
  "```python\nprint('fenced')\n```",
  "numbers 1234567890 3.14159 -42 1e10",
  "<|endoftext|> is just text here",
  "I'm, you're, they'll, we'd, it's, WE'LL",
  "a".repeat(1000),
  "https://example.com/path?query=1&b=2#frag",
];
const out = {};
for (const name of ["cl100k_base", "o200k_base"]) {
  const enc = get_encoding(name);
  out[name] = samples.map(s => ({ text: s, tokens: Array.from(enc.encode_ordinary(s)) }));
  enc.free();
}
const lines=[];for(const k of Object.keys(out)){lines.push(JSON.stringify(k)+": [\n"+out[k].map(e=>"  "+JSON.stringify(e)).join(",\n")+"\n]");}console.log("{\n"+lines.join(",\n")+"\n}");

// The long texts of long_test.go (upstreamLong there): runs without a space, the same generator.
//   node gen-tiktoken.js --long
if (process.argv.includes("--long")) {
  let s = 42;
  const r = () => (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff);
  const pick = (n, from) => Array.from({ length: n }, () => from[r() % from.length]).join("");
  const dna = pick(100000, "ACGT");
  const letters = pick(200000, "abcdefghijklmnopqrstuvwxyz");
  const long = { dna100k: dna, letters200k: letters, underscores50k: "_".repeat(50000), han20k: "漢字".repeat(10000) };
  for (const name of ["o200k_base", "cl100k_base"]) {
    const enc = get_encoding(name);
    for (const [k, v] of Object.entries(long)) console.error(name, k, enc.encode_ordinary(v).length);
    enc.free();
  }
}
