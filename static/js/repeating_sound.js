// A tone that repeats until nothing is waiting: the board's open alerts (board_alerts.js) and the operator's
// unacknowledged announced patients (operator_announcements.js). Web Audio needs one gesture on the page (the
// button), and the choice is kept per browser under its own key, so turning the board's sound off does not silence
// the hospital's.

const REPEAT_MS = 4000;

// key: localStorage key; button: the on/off button (may be absent); messages: {enable_sound, disable_sound};
// waiting: () => how many things still wait; tone: {frequency, gain, seconds}; muted: never sound (a wall screen).
// Returns { beep }: sound once now, for something that just arrived.
export function repeatingSound({ key, button, messages, waiting, tone, muted = false }) {
  let audio = null;
  const wanted = () => !muted && localStorage.getItem(key) === "on";

  function beep() {
    if (!wanted() || waiting() === 0) return;
    audio = audio || new AudioContext();
    if (audio.state === "suspended") audio.resume();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = tone.frequency;
    gain.gain.setValueAtTime(tone.gain, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + tone.seconds);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + tone.seconds);
  }

  function showButton() {
    if (!button) return;
    const on = wanted();
    button.textContent = on ? messages.disable_sound : messages.enable_sound;
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }

  button?.addEventListener("click", () => {
    localStorage.setItem(key, wanted() ? "off" : "on");
    showButton();
    if (wanted()) { audio = audio || new AudioContext(); audio.resume(); }
  });
  showButton();
  setInterval(beep, REPEAT_MS);
  return { beep }; // at once, for something new: the repeat follows
}
