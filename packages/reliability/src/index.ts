export { closedLoopbackPort, startRecordingServer } from './loopback.js';
export type { RecordedRequest, RecordingServer } from './loopback.js';

export { countVerdicts, renderMatrix } from './matrix.js';
export type { MatrixRow, MatrixTarget, RowVerdict } from './matrix.js';

export { errorText, observeCore } from './observe.js';
export type { CoreObservation, ObservedSeams } from './observe.js';

export { formatMib, parseGnuTimeMaxRss } from './peak-rss.js';

export { checkSections, renderReport } from './report.js';
export type { MissingSections, ReportLayout } from './report.js';

export {
  isComplete,
  matrixRecorder,
  noteRecorder,
  readSections,
  SectionRecorder,
} from './results.js';
export type { MatrixResult, NoteResult, SectionResult } from './results.js';
