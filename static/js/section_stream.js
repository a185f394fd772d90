// The sections a page holds from the board's socket (/ws/beds, DESIGN.md "Realtime protocol"), for the board
// (board.js) and the map (board_map.js): a snapshot replaces them; a change or a leave applies when it is newer
// than what is held for its section (a resume may repeat one already applied). `lastSeq` and `epoch` are what a
// reconnect resumes from.

export class SectionStream {
  constructor() {
    this.sections = new Map(); // id -> section
    this.seqOf = new Map(); // id -> seq of the last change applied
    this.lastSeq = null;
    this.epoch = null;
  }

  // New filters: a reconnect before their snapshot must ask for it, not resume the old filters' stream.
  forget() { this.lastSeq = null; }

  // Applies a snapshot, change or leave frame; false for a change already applied (nothing new to show).
  apply(message) {
    if (message.type === "snapshot") {
      this.sections.clear();
      this.seqOf.clear();
      for (const section of message.sections) {
        this.sections.set(section.id, section);
        this.seqOf.set(section.id, message.seq);
      }
      this.lastSeq = message.seq;
      this.epoch = message.epoch;
    } else if (message.type === "change") {
      const id = message.section.id;
      if ((this.seqOf.get(id) ?? -1) >= message.seq) return false;
      this.sections.set(id, message.section);
      this.#seen(id, message.seq);
    } else if (message.type === "leave") {
      this.sections.delete(message.section_id);
      this.#seen(message.section_id, message.seq);
    }
    return true;
  }

  #seen(id, seq) {
    this.seqOf.set(id, seq);
    this.lastSeq = Math.max(this.lastSeq ?? 0, seq);
  }
}
