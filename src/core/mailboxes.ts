// What each recorded process still had in its mailbox when the recording stopped (the footer's
// `mailboxes`, recorder 0.1.0+), and which sends those queued messages were: a `receive` event is the
// message entering the mailbox, so only this snapshot tells "still queued at the end" from "taken".

import { csrList, type Csr } from "./store/csr";
import type { StoreData } from "./store/store";
import type { ProcessTable } from "./processes";
import { Atom, ErlMap, Pid, type Term, Tuple } from "./terms/term";
import { termEquals } from "./terms/equal";

/** A process's mailbox at the end: its length, and its first messages in queue order (maybe fewer). */
export interface MailboxAtEnd {
  count: number;
  messages: Term[];
}

/** Sends looked at, per process, when matching its queued messages (the latest first). */
const MAX_SCANNED = 50_000;

const MAILBOXES = Atom.of("mailboxes");

export class EndMailboxes {
  private boxes?: Map<number, MailboxAtEnd>;
  /** Per process, the sends found queued at the end (computed on first need). */
  private readonly matched = new Map<number, Set<number>>();

  constructor(
    private readonly store: StoreData,
    private readonly processes: ProcessTable,
    /** Sends by destination (MessageFlow's index). */
    private readonly sendsTo: () => Csr,
    /** The message of a send or receive event. */
    private readonly messageOf: (row: number) => Term | undefined,
    /** A process's receives with no recorded send (from a process not recorded), in order. */
    private readonly unpairedReceives: (pid: number) => number[] = () => [],
  ) {}

  /** True when some loaded file has a snapshot: older traces have none, and the inference stays. */
  get any(): boolean {
    return this.all().size > 0;
  }

  /** The mailbox of process `pid` (an id) at the end, when the recording has it. */
  of(pid: number): MailboxAtEnd | undefined {
    return this.all().get(pid);
  }

  /**
   * Whether the send `row` to process `to` (or `to`'s receive `row` whose send was not recorded) was
   * still in `to`'s mailbox at the end.
   */
  queued(row: number, to: number): boolean {
    const box = this.of(to);
    if (!box || box.messages.length === 0) return false;
    let set = this.matched.get(to);
    if (!set) {
      set = this.match(to, box.messages);
      this.matched.set(to, set);
    }
    return set.has(row);
  }

  // Latest first: a queued message is most often a late one. Each queued message takes the latest equal
  // send (or receive with no send) not taken yet, so two equal messages queued match the last two.
  private match(to: number, messages: Term[]): Set<number> {
    const found = new Set<number>();
    const left = messages.slice();
    const sends = csrList(this.sendsTo(), to);
    const orphans = this.unpairedReceives(to);
    let i = sends.length - 1;
    let j = orphans.length - 1;
    for (let scanned = 0; scanned < MAX_SCANNED && left.length > 0 && (i >= 0 || j >= 0); scanned++) {
      // The two lists merged, latest row first.
      const row = j < 0 || (i >= 0 && sends[i] > orphans[j]) ? sends[i--] : orphans[j--];
      const msg = this.messageOf(row);
      if (msg === undefined) continue;
      let k = left.length - 1;
      while (k >= 0 && !termEquals(left[k], msg)) k--;
      if (k < 0) continue;
      left.splice(k, 1);
      found.add(row);
    }
    return found;
  }

  private all(): Map<number, MailboxAtEnd> {
    if (this.boxes) return this.boxes;
    this.boxes = new Map();
    for (const f of this.store.files) {
      const list = f.footer instanceof ErlMap ? f.footer.get(MAILBOXES, (a, b) => a === b) : undefined;
      if (!Array.isArray(list)) continue;
      for (const entry of list) {
        const box = parseEntry(entry);
        const id = box && this.idOf(box.pid);
        if (box && id !== undefined) this.boxes.set(id, { count: box.count, messages: box.messages });
      }
    }
    return this.boxes;
  }

  private idOf(pid: Pid): number | undefined {
    try {
      return this.processes.find(`<0.${pid.id}.${pid.serial}>@${pid.node.name}`).id;
    } catch {
      // A process with no event (idle all along): no send of the recording can name it.
      return undefined;
    }
  }
}

/** `{pid, count, [messages]}`; anything else (a damaged or future footer) is ignored. */
function parseEntry(t: Term): { pid: Pid; count: number; messages: Term[] } | undefined {
  if (!(t instanceof Tuple) || t.elements.length !== 3) return undefined;
  const [pid, count, messages] = t.elements;
  if (!(pid instanceof Pid) || typeof count !== "number" || !(count >= 0) || !Array.isArray(messages))
    return undefined;
  return { pid, count, messages: messages.slice(0, count) };
}
