/**
 * Renders an action's stdout the way the GitHub log shows it. `::add-mask::` lines are hidden
 * and every later occurrence of a masked value reads `***`. Other workflow commands become
 * annotations.
 */
export class RunnerLog {
  readonly #masks: string[] = [];

  constructor(private readonly showDebug: boolean) {}

  /** Registers a value that every later line shows as `***`, as `::add-mask::` does. */
  addMask(value: string): void {
    if (value.trim() === '' || this.#masks.includes(value)) {
      return;
    }
    this.#masks.push(value);
    // Longer values first, so that a mask inside another one cannot leave part of it visible.
    this.#masks.sort((a, b) => b.length - a.length);
  }

  /** Applies the registered masks to a line. */
  mask(text: string): string {
    let masked = text;
    for (const value of this.#masks) {
      masked = masked.split(value).join('***');
    }
    return masked;
  }

  /** Returns the line as the GitHub log shows it, or `undefined` when the log hides it. */
  render(line: string): string | undefined {
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (command === null) {
      return this.mask(line);
    }
    const [, name, message = ''] = command;
    const text = unescapeMessage(message);
    switch (name) {
      case 'add-mask':
        this.addMask(text);
        return undefined;
      case 'debug':
        return this.showDebug ? `##[debug]${this.mask(text)}` : undefined;
      case 'notice':
        return `Notice: ${this.mask(text)}`;
      case 'warning':
        return `Warning: ${this.mask(text)}`;
      case 'error':
        return `Error: ${this.mask(text)}`;
      case 'group':
        return `▸ ${this.mask(text)}`;
      case 'endgroup':
        return undefined;
      default:
        return this.mask(line);
    }
  }
}

function unescapeMessage(message: string): string {
  return message.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
