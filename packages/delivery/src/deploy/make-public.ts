import type { Doc } from "@qlik/api/qix";
import { mapLimit, type Logger } from "@qlik-cicd/common";

/** Object types consumers see in a managed space once they are public (published + approved). */
export const CONSUMER_OBJECT_TYPES = ["sheet", "story", "masterobject"] as const;

/** Entries made public at once on the session. */
const PUBLISH_IN_FLIGHT = 32;

interface Publishable {
  publish(): Promise<void>;
  approve(): Promise<void>;
}

/**
 * Makes sheets, stories, master visualizations, master dimensions/measures and bookmarks of the
 * staging app public before it is published: in a managed space only public content reaches
 * consumers (and app evaluations). Returns how many entries were made public.
 */
export async function makeContentPublic(doc: Doc, logger: Logger): Promise<number> {
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
    let handle: Publishable;
    if (info.qType === "dimension") handle = await doc.getDimension(id);
    else if (info.qType === "measure") handle = await doc.getMeasure(id);
    else if (info.qType === "bookmark") handle = await doc.getBookmark(id);
    else handle = await doc.getObject(id);
    await handle.publish();
    await handle.approve();
  });
  const count = targets.length;
  if (count) await doc.doSave();
  logger.info(`Made ${count} sheets, master items and bookmarks public in the staging app.`);
  return count;
}
