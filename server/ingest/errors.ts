/**
 * The error catalogue of ingest. Codes are frictionless-py v5 error type names where one exists,
 * so reports can be compared with Frictionless tools; messages are Vietnamese for the unit's staff.
 * The codes Frictionless has no name for (its parser stops or guesses there) are this portal's own,
 * marked below; they are stable too.
 */
export const ERROR_MESSAGES = {
  // resource: the file cannot be read
  'source-error': 'Không đọc được tệp',
  'format-error': 'Định dạng tệp không được hỗ trợ hoặc không khớp với phần mở rộng',
  'encoding-error': 'Không giải mã được bảng mã ký tự của tệp',
  'compression-error': 'Tệp nén không hợp lệ hoặc quá lớn khi giải nén',
  // metadata
  'schema-error': 'Lược đồ bảng (Table Schema) không hợp lệ',
  'metadata-error': 'Tệp mô tả dữ liệu (siêu dữ liệu) không hợp lệ',
  'dataset-error': 'Bộ dữ liệu không hợp lệ',
  // table
  'row-count': 'Tệp không có hàng dữ liệu nào',
  'field-count': 'Số cột vượt quá giới hạn cho phép',
  // dialect (portal codes): quoting faults are errors, the rest warnings that say what was read and how
  'stray-quote': 'Dấu ngoặc kép đặt sai chỗ',
  'unclosed-quote': 'Dấu ngoặc kép không được đóng',
  'trailing-delimiter': 'Mọi hàng đều kết thúc bằng một dấu phân cách thừa',
  'preamble': 'Bỏ qua các dòng phía trên hàng tiêu đề',
  'footnote': 'Bỏ qua dòng chú thích ở cuối bảng',
  'repeated-header': 'Bỏ qua hàng lặp lại hàng tiêu đề',
  'no-header': 'Tệp không có hàng tiêu đề',
  // header and labels
  'blank-header': 'Hàng tiêu đề trống',
  'blank-label': 'Tên cột trống',
  'duplicate-label': 'Tên cột bị trùng',
  'incorrect-label': 'Tên cột không khớp với lược đồ',
  'missing-label': 'Thiếu cột có trong lược đồ',
  'extra-label': 'Thừa cột không có trong lược đồ',
  // rows
  'blank-row': 'Hàng trống',
  'primary-key': 'Trùng khóa chính',
  // cells
  'missing-cell': 'Thiếu ô dữ liệu so với số cột của tiêu đề',
  'extra-cell': 'Thừa ô dữ liệu so với số cột của tiêu đề',
  'type-error': 'Giá trị không đúng kiểu dữ liệu của cột',
  // portal codes: what a spreadsheet or a JSON file holds that a table cannot publish as it is
  'formula-error': 'Ô có lỗi công thức, hoặc công thức chưa được tính',
  'duplicate-key': 'Một đối tượng JSON có cùng một khóa hai lần',
  'hidden-data': 'Bảng tính có hàng hoặc cột bị ẩn chứa dữ liệu',
  'constraint-error': 'Giá trị vi phạm ràng buộc của cột',
  'unique-error': 'Giá trị bị trùng trong cột yêu cầu duy nhất',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export interface IngestProblem {
  type: ErrorCode;
  message: string; // Vietnamese
  note?: string;
  rowNumber?: number; // 1-based, header = 1 (as Frictionless)
  fieldNumber?: number; // 1-based
  fieldName?: string;
  cell?: string;
}

export function problem(type: ErrorCode, note?: string, where: Omit<IngestProblem, 'type' | 'message' | 'note'> = {}): IngestProblem {
  return { type, message: note ? `${ERROR_MESSAGES[type]}: ${note}` : ERROR_MESSAGES[type], ...(note ? { note } : {}), ...where };
}

/** Thrown when a file cannot be read at all; carries the problem for the report. */
export class IngestError extends Error {
  readonly problem: IngestProblem;
  constructor(p: IngestProblem) {
    super(p.message);
    this.problem = p;
  }
}

/** The ingest was stopped (its abort signal): nothing of it is published. */
export const abortedError = () => new IngestError(problem('source-error', 'quá trình nạp bị dừng giữa chừng; không có gì được công bố'));
