// Camera and microphone, and the codecs the SFU forwards (VP8 and Opus: it never transcodes).

const VIDEO = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };
const AUDIO = { echoCancellation: true, noiseSuppression: true };

// Asks for camera and microphone; falls back to whichever of the two is there, so a
// machine without a camera can still join with its voice (or watch only).
export async function getLocalMedia() {
  if (!navigator.mediaDevices?.getUserMedia) {
    return { stream: new MediaStream(), problem: 'this page cannot use a camera here (it needs https or localhost)' };
  }
  const attempts = [
    { video: VIDEO, audio: AUDIO },
    { video: false, audio: AUDIO },
    { video: VIDEO, audio: false },
  ];
  let firstError = null;
  for (const constraints of attempts) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(constraints);
      const missing = firstError ? describeMediaError(firstError) : null;
      return { stream, problem: missing };
    } catch (err) {
      firstError ??= err;
    }
  }
  return { stream: new MediaStream(), problem: describeMediaError(firstError) };
}

function describeMediaError(err) {
  switch (err?.name) {
    case 'NotAllowedError':
      return 'camera or microphone permission was refused';
    case 'NotFoundError':
      return 'no camera or microphone was found';
    case 'NotReadableError':
      return 'the camera or microphone is busy in another program';
    default:
      return `camera or microphone unavailable (${err?.name ?? 'unknown error'})`;
  }
}

// Puts the wanted codec first and leaves the rest in the browser's order, so the offer
// stays valid even where the SFU's codec is missing.
export function preferCodec(transceiver, kind, mimeType) {
  if (typeof transceiver.setCodecPreferences !== 'function') return;
  const caps = RTCRtpSender.getCapabilities?.(kind);
  if (!caps?.codecs?.length) return;
  const wanted = mimeType.toLowerCase();
  const first = caps.codecs.filter((c) => c.mimeType.toLowerCase() === wanted);
  if (!first.length) return;
  const rest = caps.codecs.filter((c) => c.mimeType.toLowerCase() !== wanted);
  try {
    transceiver.setCodecPreferences([...first, ...rest]);
  } catch (err) {
    console.warn('carrel: codec preferences refused:', err.message);
  }
}

export function stopStream(stream) {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
