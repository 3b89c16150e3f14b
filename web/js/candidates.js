// ICE candidate helpers: keeping remote candidates until their description is applied, and
// (when the server names its networks) leaving out local candidates it could not reach.

// Remote candidates may overtake the description they belong to; hold them until then.
export class RemoteCandidates {
  #pending = [];

  constructor(pc) {
    this.pc = pc;
  }

  async add(candidate, sdpMLineIndex) {
    const init = { candidate, sdpMLineIndex: sdpMLineIndex ?? 0 };
    if (!this.pc.remoteDescription) {
      this.#pending.push(init);
      return;
    }
    await this.#apply(init);
  }

  // Call right after setRemoteDescription.
  async flush() {
    const pending = this.#pending;
    this.#pending = [];
    for (const init of pending) await this.#apply(init);
  }

  async #apply(init) {
    try {
      await this.pc.addIceCandidate(init);
    } catch (err) {
      // One unusable candidate (another address family, a closed connection) must not stop
      // the others.
      console.warn('carrel: remote candidate refused:', init.candidate, err.message);
    }
  }
}

// "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host ..." -> "127.0.0.1"
export function candidateAddress(candidate) {
  const fields = candidate.replace(/^a=/, '').split(/\s+/);
  return fields.length > 5 ? fields[4] : null;
}

function ipv4ToBigInt(s) {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function ipv6ToBigInt(s) {
  let addr = s.replace(/^\[|\]$/g, '').split('%')[0];
  const v4 = addr.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  let tail = [];
  if (v4) {
    const n = ipv4ToBigInt(v4[2]);
    if (n === null) return null;
    addr = v4[1] + '0:0';
    tail = [Number(n >> 16n), Number(n & 0xffffn)];
  }
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail.length) v = (v & ~0xffffffffn) | (BigInt(tail[0]) << 16n) | BigInt(tail[1]);
  return v;
}

function parseAddress(s) {
  if (s.includes(':')) {
    const v = ipv6ToBigInt(s);
    return v === null ? null : { family: 6, value: v, bits: 128 };
  }
  const v = ipv4ToBigInt(s);
  return v === null ? null : { family: 4, value: v, bits: 32 };
}

// "127.0.0.0/8" or "::1/128" -> a predicate on addresses; null if the text is no CIDR.
function parseNetwork(cidr) {
  const [base, lenText] = String(cidr).split('/');
  const net = parseAddress(base);
  if (!net) return null;
  const len = lenText === undefined ? net.bits : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > net.bits) return null;
  const shift = BigInt(net.bits - len);
  return (addr) => addr.family === net.family && addr.value >> shift === net.value >> shift;
}

// Returns a predicate telling whether a local candidate may be sent. With no usable network
// list every candidate goes, and the server sorts them out.
export function candidateFilter(networks) {
  const nets = Array.isArray(networks) ? networks.map(parseNetwork).filter(Boolean) : [];
  if (!nets.length) return () => true;
  return (candidate) => {
    if (!candidate) return true; // end of gathering
    const text = candidateAddress(candidate);
    const addr = text && parseAddress(text);
    return !!addr && nets.some((inNet) => inNet(addr));
  };
}
