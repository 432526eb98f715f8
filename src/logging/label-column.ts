// The width of the name column, shared by corral's events and every service's lines so
// that the "|" separators line up in docker logs.
export class LabelColumn {
  width: number;

  constructor(labels: readonly string[]) {
    this.width = Math.max(0, ...labels.map((label) => label.length));
  }

  pad(label: string): string {
    return label.padEnd(this.width);
  }
}
