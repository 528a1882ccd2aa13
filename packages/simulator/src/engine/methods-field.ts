/** Methods of Field handles (Doc.GetField): selections in one field, in one state, of this session. */
import { optBool, reqString } from "./args.ts";
import type { CallContext, MethodDef, MethodTable } from "./context.ts";
import { invalidParams } from "./errors.ts";
import { isPlainObject } from "./records.ts";
import {
  clearField,
  DEFAULT_STATE,
  fieldValues,
  selectAll,
  selectMatch,
  selectValues,
  setLocked,
  type FieldRef,
} from "./selections.ts";

function ref(ctx: CallContext): FieldRef {
  return { state: ctx.entry.state ?? DEFAULT_STATE, field: ctx.entry.id };
}

/** Runs a selection change and notifies this session's handles. */
function selecting(ctx: CallContext, change: () => boolean): { qReturn: boolean } {
  const ok = change();
  if (ok) ctx.sessionChanged();
  return { qReturn: ok };
}

/** Field.Select / ToggleSelect. */
function searchSelect(toggle: boolean): MethodDef {
  return {
    params: ["qMatch", "qSoftLock", "qExcludedValuesMode"],
    run(ctx, [qMatch, qSoftLock]) {
      const match = reqString(qMatch, "qMatch");
      return selecting(ctx, () =>
        selectMatch(ctx.doc, ctx.selections, ref(ctx), match, optBool(qSoftLock) ?? false, toggle),
      );
    },
  };
}

export const fieldMethods: MethodTable = {
  GetCardinal: {
    params: [],
    run(ctx) {
      return { qReturn: (fieldValues(ctx.doc, ctx.entry.id) ?? []).length };
    },
  },
  SelectValues: {
    params: ["qFieldValues", "qToggleMode", "qSoftLock"],
    run(ctx, [qFieldValues, qToggleMode, qSoftLock]) {
      if (!Array.isArray(qFieldValues)) throw invalidParams("qFieldValues");
      return selecting(ctx, () =>
        selectValues(
          ctx.doc,
          ctx.selections,
          ref(ctx),
          qFieldValues,
          optBool(qToggleMode) ?? false,
          optBool(qSoftLock) ?? false,
        ),
      );
    },
  },
  Select: searchSelect(false),
  ToggleSelect: searchSelect(true),
  SelectAll: {
    params: ["qSoftLock"],
    run(ctx, [qSoftLock]) {
      return selecting(ctx, () => selectAll(ctx.doc, ctx.selections, ref(ctx), optBool(qSoftLock) ?? false));
    },
  },
  Clear: {
    params: [],
    run(ctx) {
      return selecting(ctx, () => clearField(ctx.selections, ref(ctx)));
    },
  },
  Lock: {
    params: [],
    run(ctx) {
      return selecting(ctx, () => setLocked(ctx.selections, ref(ctx), true));
    },
  },
  Unlock: {
    params: [],
    run(ctx) {
      return selecting(ctx, () => setLocked(ctx.selections, ref(ctx), false));
    },
  },
  GetAndMode: {
    params: [],
    run(ctx) {
      const { state, field } = ref(ctx);
      return { qReturn: ctx.selections.get(state, field)?.andMode ?? false };
    },
  },
  SetAndMode: {
    params: ["qAndMode"],
    run(ctx, [qAndMode]) {
      if (typeof qAndMode !== "boolean") throw invalidParams("qAndMode");
      const { state, field } = ref(ctx);
      ctx.selections.entry(state, field).andMode = qAndMode;
      ctx.sessionChanged();
      return {};
    },
  },
  GetNxProperties: {
    params: [],
    run(ctx) {
      const { state, field } = ref(ctx);
      return { qProperties: { qOneAndOnlyOne: ctx.selections.get(state, field)?.oneAndOnlyOne ?? false } };
    },
  },
  SetNxProperties: {
    params: ["qProperties"],
    run(ctx, [qProperties]) {
      if (!isPlainObject(qProperties)) throw invalidParams("qProperties");
      const { state, field } = ref(ctx);
      const sel = ctx.selections.get(state, field);
      const wanted = qProperties.qOneAndOnlyOne === true;
      // As the engine: one and only one can be set only while exactly one value is selected.
      if (wanted && sel?.selected.size !== 1) return {};
      if (sel) sel.oneAndOnlyOne = wanted;
      ctx.sessionChanged();
      return {};
    },
  },
};
