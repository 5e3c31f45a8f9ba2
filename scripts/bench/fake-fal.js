// A fal.ai queue API that finishes every request at once, for the benchmark's remote pipeline scenario
// (bench/README.md): the node's processing overhead is measured without a renderer competing for the CPU.
// It speaks the protocol FalGenerator uses: POST /{model} -> request urls; GET .../status -> COMPLETED;
// GET the response -> video.url; GET the video -> the bytes of --video; PUT .../cancel -> 200.
// Usage: node fake-fal.js --port N --video FILE
'use strict';
const http = require('http');
const fs = require('fs');

const arg = (name) => {
  const i = process.argv.indexOf('--' + name);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error('missing --' + name);
  return process.argv[i + 1];
};
const port = Number(arg('port'));
const videoFile = arg('video'); // read at the first download: the benchmark writes it after this starts
let video = null;
const base = `http://127.0.0.1:${port}`;
let next = 0;

const json = (res, status, body) => {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length });
  res.end(data);
};

http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/video.mp4') { // a public file URL, like fal.ai's CDN: no key
      video = video || fs.readFileSync(videoFile);
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': video.length });
      return res.end(video);
    }
    if (req.headers.authorization !== 'Key bench') return json(res, 401, { detail: 'bad key' });
    const m = path.match(/^\/requests\/(\d+)(\/status|\/cancel)?$/);
    if (m && req.method === 'GET' && m[2] === '/status') return json(res, 200, { status: 'COMPLETED', logs: [] });
    if (m && req.method === 'GET' && !m[2]) return json(res, 200, { video: { url: `${base}/video.mp4` } });
    if (m && req.method === 'PUT' && m[2] === '/cancel') return json(res, 200, { status: 'CANCELLATION_REQUESTED' });
    if (req.method === 'POST') {
      const id = ++next;
      return json(res, 200, {
        request_id: String(id),
        status_url: `${base}/requests/${id}/status`,
        response_url: `${base}/requests/${id}`,
        cancel_url: `${base}/requests/${id}/cancel`,
      });
    }
    json(res, 404, { detail: 'not found' });
  });
}).listen(port, '127.0.0.1');
