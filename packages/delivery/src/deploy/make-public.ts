import type { Doc } from "@qlik/api/qix";
import { mapLimit, type Logger } from "@qlik-cicd/common";

/** Object types consumers see in a managed space once they are public (published + approved). */
const CONSUMER_OBJECT_TYPES = ["sheet", "story", "masterobject"] as const;

/** Entries made public at once on the session. */
const PUBLISH_IN_FLIGHT = 32;

interface Publishable {
  publish(): Promise<void>;
  approve(): Promise<void>;
}

async function open(doc: Doc, kind: string, id: string): Promise<Publishable> {
  if (kind === "dimension") return doc.getDimension(id);
  if (kind === "measure") return doc.getMeasure(id);
  if (kind === "bookmark") return doc.getBookmark(id);
  return doc.getObject(id);
}

/**
 * Makes sheets, stories, master visualizations, master dimensions/measures and bookmarks of the
 * staging app public before it is published: in a managed space only public content reaches
 * consumers (and app evaluations). Returns how many entries were made public.
 */
export async function makeContentPublic(
  doc: Doc,
  logger: Logger,
  options: {
    /** Handles already open in this session by `<kind>/<id>` (from the build), used instead of asking again. */
    openedHandles?: ReadonlyMap<string, unknown>;
    /** Save the app afterwards (default true; false when the caller saves once at the end). */
    save?: boolean;
  } = {},
): Promise<number> {
  const infos = await doc.getAllInfos();
  const targets = infos.filter(
    (i) =>
      (CONSUMER_OBJECT_TYPES as readonly string[]).includes(i.qType ?? "") ||
      i.qType === "dimension" ||
      i.qType === "measure" ||
      i.qType === "bookmark",
  );
  // Independent per entry: many in flight on the session at once (publish before approve per entry).
  await mapLimit(targets, PUBLISH_IN_FLIGHT, async (info) => {
    const id = info.qId ?? "";
    const kind =
      info.qType === "dimension" || info.qType === "measure" || info.qType === "bookmark"
        ? info.qType
        : "object";
    const handle =
      (options.openedHandles?.get(`${kind}/${id}`) as Publishable | undefined) ?? (await open(doc, kind, id));
    await handle.publish();
    await handle.approve();
  });
  const count = targets.length;
  if (count && (options.save ?? true)) await doc.doSave();
  logger.info(`Made ${count} sheets, master items and bookmarks public in the staging app.`);
  return count;
}
