// The gate's pull-request comment: its marker (one comment per app) and body. Posting it is the adapters'
// (actions/_shared/test/pull-request-comment.test.ts).
import { commentMarker, evaluationComment } from "../src/evaluation/index.ts";
import { evaluationReport as report } from "./evaluation-report-fixture.ts";

describe("evaluationComment", () => {
  it("renders the gate's verdict under the app's marker", () => {
    const failed = evaluationComment(report(500));
    expect(failed.marker).toBe("qlik-evaluate-app:Sales Analytics");
    expect(failed.body).toContain("### ❌ Performance gate failed: Sales Analytics");
    expect(failed.body).toContain(
      "| **❌ Revenue by region** | barchart | Overview | 100 ms | 500 ms | **+400 ms (+400 %)** |",
    );
    const passed = evaluationComment(report(110), { appName: "Sales -- EU" });
    expect(passed.marker).toBe("qlik-evaluate-app:Sales - EU");
    expect(passed.body).toContain("### ✅ Performance gate passed: Sales Analytics");
  });

  it("makes a marker that cannot end the HTML comment early", () => {
    expect(commentMarker("Sales -- EU <draft>")).toBe("qlik-evaluate-app:Sales - EU draft");
    expect(commentMarker("  ")).toBe("qlik-evaluate-app:app");
  });
});
