/**
 * Types every layer may name, kept below all of them so that no arrow points up: the composition
 * root's background tasks and the page languages that repos store.
 */

/** Something that runs beside the HTTP server (sequencer, checkpointer, webhook sender ...). */
export interface BackgroundTask {
  name: string;
  start(): void;
  stop(): Promise<void>;
}

/** A page language: Korean first, then English and Japanese. */
export type Lang = 'ko' | 'en' | 'ja';
