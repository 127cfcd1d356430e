/**
 * Model data as YAML that reads like the hand-written models: block style for the structure,
 * flow style ({ ... }, [ ... ]) for lists and for the small mappings inside them.
 */
import { Document, isSeq, visit } from "yaml";

export function toYaml(data: Record<string, unknown>, comment: string): string {
  const doc = new Document(data);
  visit(doc, {
    Seq(_, node) {
      node.flow = true;
    },
    Map(_, node, path) {
      // Values, connect specs, recordings and stimuli are one-liners; the rest stays in blocks.
      const parent = path[path.length - 1];
      if (path.length > 1 && (["values", "pairs", "var", "target", "source"].some((k) => node.has(k)) || isSeq(parent))) node.flow = true;
    },
  });
  doc.commentBefore = ` ${comment}`;
  return doc.toString({ lineWidth: 0 });
}
