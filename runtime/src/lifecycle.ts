/** Flipped by the shutdown sequence so /readyz fails before the server stops accepting. */
export interface Lifecycle {
  shuttingDown: boolean;
}
