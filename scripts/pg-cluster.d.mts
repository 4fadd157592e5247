// Types for pg-cluster.mjs (a plain script, so the bench can use it too).
export interface Cluster {
  /** The `postgres` maintenance database, as the cluster's superuser (trust auth on 127.0.0.1). */
  adminUrl: string;
  url(database: string): string;
  port: number;
  dir: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

export function findPgBin(): string | null;
export function startCluster(options?: { bin?: string | null; log?: (line: string) => void }): Promise<Cluster>;
