// Our own media: camera and microphone (one stream, asked for once per room visit), their
// mute switches, and the screen share (a second stream, asked for each time it starts).

import { getLocalMedia, stopStream } from './media.js';

const SCREEN = { video: { frameRate: { ideal: 15 }, width: { max: 1920 }, height: { max: 1080 } }, audio: false };

export class LocalMedia {
  stream = null; // camera + microphone
  screen = null; // MediaStream of the shared screen, or null
  micMuted = false;
  cameraMuted = false;
  onScreenEnded = () => {};

  // Returns a sentence about what is missing, or null.
  async start() {
    const { stream, problem } = await getLocalMedia();
    this.stream = stream;
    this.micMuted = false;
    this.cameraMuted = false;
    return problem;
  }

  get micTrack() {
    return this.stream?.getAudioTracks()[0] ?? null;
  }

  get cameraTrack() {
    return this.stream?.getVideoTracks()[0] ?? null;
  }

  get screenTrack() {
    return this.screen?.getVideoTracks()[0] ?? null;
  }

  // A muted microphone sends silence and a camera turned off sends black: the connection
  // and its m-lines stay as they are, so turning them back on needs no renegotiation.
  setMicMuted(muted) {
    this.micMuted = muted;
    if (this.micTrack) this.micTrack.enabled = !muted;
  }

  setCameraMuted(muted) {
    this.cameraMuted = muted;
    if (this.cameraTrack) this.cameraTrack.enabled = !muted;
  }

  static canShareScreen() {
    return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
  }

  // Asks the user which screen or window to share; throws when refused.
  async startScreen() {
    if (this.screen) return this.screenTrack;
    const screen = await navigator.mediaDevices.getDisplayMedia(SCREEN);
    this.screen = screen;
    const track = this.screenTrack;
    if (track) {
      track.contentHint = 'detail'; // text on slides must stay sharp; frame rate may drop
      // The browser's own "Stop sharing" bar ends the track without us.
      track.addEventListener('ended', () => {
        if (this.screen === screen) this.onScreenEnded();
      });
    }
    return track;
  }

  stopScreen() {
    stopStream(this.screen);
    this.screen = null;
  }

  // {mic: {have, muted}, camera: {have, muted}, screen: {can, on}} for the buttons.
  state() {
    return {
      mic: { have: !!this.micTrack, muted: this.micMuted },
      camera: { have: !!this.cameraTrack, muted: this.cameraMuted },
      screen: { can: LocalMedia.canShareScreen(), on: !!this.screen },
    };
  }

  stop() {
    this.stopScreen();
    stopStream(this.stream);
    this.stream = null;
  }
}
