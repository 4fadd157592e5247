// Carrying out a planned setup run, so that the person's original files are always recoverable:
//  1. every file a step changes, or a program it runs may rewrite, is checked writable: one that is not stops the
//     run before anything is written;
//  2. each of them is backed up as it is now, before any program runs (Claude Code's `claude mcp add` rewrites
//     ~/.claude/settings.json by itself);
//  3. programs run; then the file changes are planned again on the files as they are now and written, once more if
//     another program changed a file in between;
//  4. a backup of a file that ended up as it was is dropped again.
import fs from 'node:fs';

import { ConfigFileError, readText } from './config-file.js';
import { applyChange, backUp, changed, ChangedMeanwhile, writeProblem } from './file-change.js';
import { shellJoin } from './launcher.js';
import { type SetupContext, SetupRunError, type Step } from './steps.js';

interface Original {
  text: string | null;
  backup: string | null;
}

/**
 * Applies `steps` (as planned by `plan`), filling in each step's backup. `plan` is called again after programs ran
 * and after a concurrent change, and must plan the same steps in the same order.
 */
export function applyPlan(steps: Step[], plan: () => Step[], context: SetupContext): void {
  const programs = steps.some((s) => (s.run ?? []).length > 0);
  const targets = new Set<string>();
  for (const step of steps) {
    if (step.change !== undefined && changed(step.change)) targets.add(step.change.path);
    if ((step.run ?? []).length > 0) for (const file of step.touches ?? []) targets.add(file);
  }
  const problems = [...targets].map(writeProblem).filter((p): p is string => p !== null);
  if (problems.length > 0) throw new ConfigFileError([...targets][0]!, problems.join('\n'));

  // relay's own unedited files (backup: false) hold nothing of the person's: no backup of those.
  const noBackup = new Set(steps.flatMap((s) => (s.change?.backup === false ? [s.change.path] : [])));
  const originals = new Map<string, Original>();
  const stepOf = new Map<string, Step>();
  // A backup is reported on the step that changes the file, else on the step whose program may.
  for (const step of steps) if (step.change !== undefined && changed(step.change)) stepOf.set(step.change.path, step);
  for (const step of steps) {
    for (const file of step.run ? (step.touches ?? []) : []) if (!stepOf.has(file)) stepOf.set(file, step);
  }
  try {
    for (const file of targets) {
      const text = readText(file).text;
      const backup = noBackup.has(file) ? null : backUp(file, context.now);
      originals.set(file, { text, backup });
      if (backup !== null) stepOf.get(file)!.backup = backup;
    }

    for (const step of steps) {
      for (const args of step.run ?? []) {
        const [command, ...rest] = args;
        const result = context.runner(command!, rest);
        if (result.code !== 0) {
          throw new SetupRunError(
            `\`${shellJoin(args)}\` failed (exit ${result.code}): ${(result.stderr || result.stdout).trim()}`,
          );
        }
      }
    }

    let current = programs ? replanned(steps, plan) : steps;
    for (let attempt = 0; ; attempt++) {
      try {
        writeChanges(current, originals, context);
        break;
      } catch (error) {
        if (!(error instanceof ChangedMeanwhile) || attempt > 0) {
          if (error instanceof ChangedMeanwhile) throw keepsChanging(error.file, originals);
          throw error;
        }
        current = replanned(steps, plan);
      }
    }
  } finally {
    dropUnneeded(originals, steps);
  }
}

/** The steps as first planned (statuses, details, the programs that ran), with the file changes planned now. */
function replanned(steps: Step[], plan: () => Step[]): Step[] {
  const again = plan();
  return steps.map((step, i) => {
    const now = again[i];
    if (now === undefined || now.what !== step.what)
      throw new Error(`setup re-planned a different step for ${step.what}`);
    if (now.status === 'conflict') {
      step.status = now.status;
      step.detail = now.detail;
    }
    if (now.change === undefined) delete step.change;
    else step.change = now.change;
    return step;
  });
}

function writeChanges(steps: Step[], originals: Map<string, Original>, context: SetupContext): void {
  for (const step of steps) {
    const change = step.change;
    if (change === undefined || !changed(change)) continue;
    const original = originals.get(change.path);
    const backup = applyChange(change, context.now, original?.backup ?? null);
    if (backup !== null) step.backup = backup;
  }
}

function keepsChanging(file: string, originals: Map<string, Original>): ConfigFileError {
  const backup = originals.get(file)?.backup;
  const kept = backup ? ` Your original is in ${backup}.` : '';
  return new ConfigFileError(
    file,
    `${file} kept changing while setup was running (is Claude Code or another program rewriting it?); ` +
      `it was left as that program wrote it.${kept} Close that program, then run setup again.`,
  );
}

/** Removes backups of files that are exactly as they were (nothing changed them after all). */
function dropUnneeded(originals: Map<string, Original>, steps: Step[]): void {
  for (const [file, original] of originals) {
    if (original.backup === null) continue;
    let now: string | null;
    try {
      now = readText(file).text;
    } catch {
      continue;
    }
    if (now !== original.text) continue;
    fs.rmSync(original.backup, { force: true });
    for (const step of steps) if (step.backup === original.backup) delete step.backup;
  }
}
