/**
 * The flame tree shared by trace flames, CPU profiles and (with extra statistics) merged flames,
 * and the critical path's segments. They are what the panel's API sends, so they are declared once
 * in `@debugpanel/model` (`api/flame.ts`) and re-exported here.
 */
export type { FlameNode, MergedFlameNode, CriticalPathSegment } from '@debugpanel/model';
