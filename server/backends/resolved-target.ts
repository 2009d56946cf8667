/** A tool's target after resolution: policy rules are checked against `name`, never the raw reference. */
export interface ResolvedTarget {
  kind: 'container' | 'vm' | 'network' | 'image' | 'host';
  id: string;
  name: string;
  labels: Record<string, string>;
}
