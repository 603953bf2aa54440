/**
 * The interface in Vietnamese (first) and English. Only the portal's own words are translated:
 * what units publish (titles, descriptions, column names) stays as they wrote it.
 */
export type Lang = 'vi' | 'en';

const STRINGS = {
  portal: ['Cổng dữ liệu mở', 'Open Data Portal'],
  province: ['Tỉnh Gia Lai', 'Gia Lai Province'],
  portalFull: ['Cổng dữ liệu mở tỉnh Gia Lai', 'Gia Lai Province Open Data Portal'],
  skip: ['Bỏ qua, tới nội dung chính', 'Skip to main content'],
  mainNav: ['Điều hướng chính', 'Main navigation'],
  home: ['Trang chủ', 'Home'],
  datasets: ['Bộ dữ liệu', 'Datasets'],
  units: ['Đơn vị', 'Publishers'],
  topics: ['Chủ đề', 'Topics'],
  searchLabel: ['Tìm bộ dữ liệu', 'Search datasets'],
  searchPlaceholder: ['Tìm bộ dữ liệu…', 'Search datasets…'],
  searchButton: ['Tìm', 'Search'],
  otherLanguage: ['English', 'Tiếng Việt'],
  footer1: ['Dữ liệu mở được cung cấp miễn phí, không cần khai báo danh tính; khi sử dụng, vui lòng ghi rõ nguồn là đơn vị cung cấp.', 'Open data is free of charge and needs no registration; when you use it, please credit the publishing unit.'],
  footer2: ['Cổng dữ liệu mở tỉnh Gia Lai — quản trị: Sở Khoa học và Công nghệ.', 'Gia Lai Province Open Data Portal — run by the Department of Science and Technology.'],
  intro: ['Dữ liệu do các sở, ban, ngành và địa phương công bố, được cập nhật ít nhất mỗi quý. Tải về tự do dưới dạng tệp gốc, CSV (UTF-8) hoặc JSON.', 'Data published by the province\'s departments and communes, updated at least every quarter. Download it freely as the original file, UTF-8 CSV or JSON. Dataset titles and descriptions are in Vietnamese.'],
  figures: ['Số liệu của cổng', 'The portal in figures'],
  nDatasets: ['bộ dữ liệu', 'datasets'],
  nUnits: ['đơn vị cung cấp', 'publishers'],
  nTopics: ['chủ đề', 'topics'],
  newest: ['Mới cập nhật', 'Recently updated'],
  seeAll: ['Xem tất cả bộ dữ liệu', 'See all datasets'],
  publishers: ['Đơn vị cung cấp dữ liệu', 'Publishers'],
  updated: ['Cập nhật', 'Updated'],
  sample: ['Dữ liệu mẫu', 'Sample data'],
  sampleNotice: ['bộ dữ liệu này dùng để trình diễn, không phải số liệu chính thức.', 'this dataset is a demonstration, not official figures.'],
  listIntro: ['bộ dữ liệu đã công bố', 'published datasets'],
  listOrder: ['Danh sách theo thứ tự công bố, mỗi trang 20 bộ dữ liệu', 'Lists in order of publication, 20 datasets a page'],
  newestPage: ['Trang mới nhất', 'Newest page'],
  oldestPage: ['Trang đầu tiên (cũ nhất)', 'First page (oldest)'],
  newer: ['‹ Mới hơn', '‹ Newer'],
  older: ['Cũ hơn ›', 'Older ›'],
  backToList: ['Về đầu danh sách', 'Back to the list'],
  withdrawnOn: ['Đã rút ngày', 'Withdrawn on'],
  reason: ['Lý do', 'Reason'],
  page: ['Trang', 'Page'],
  prev: ['‹ Trang trước', '‹ Previous'],
  next: ['Trang sau ›', 'Next ›'],
  pagesNav: ['Trang danh sách', 'List pages'],
  dataAndDownloads: ['Dữ liệu và tải về', 'Data and downloads'],
  originalFormat: ['Định dạng gốc', 'Original format'],
  size: ['Dung lượng', 'Size'],
  rows: ['hàng', 'rows'],
  originalEncoding: ['Bảng mã gốc', 'Original encoding'],
  downloadOriginal: ['Tải tệp gốc', 'Download original'],
  downloadCsv: ['Tải CSV UTF-8', 'Download UTF-8 CSV'],
  downloadJson: ['Tải JSON', 'Download JSON'],
  preview: ['Xem trước', 'Preview'],
  firstRows: ['hàng đầu', 'first rows'],
  structure: ['Cấu trúc dữ liệu', 'Data structure'],
  columns: ['cột', 'columns'],
  columnName: ['Tên cột', 'Column'],
  columnType: ['Kiểu dữ liệu', 'Type'],
  machineReadable: ['Siêu dữ liệu máy đọc được', 'Machine-readable metadata'],
  history: ['Lịch sử phiên bản', 'Version history'],
  version: ['Phiên bản', 'Version'],
  originalFile: ['tệp gốc', 'original file'],
  about: ['Thông tin bộ dữ liệu', 'About this dataset'],
  publisher: ['Đơn vị cung cấp', 'Publisher'],
  licence: ['Giấy phép', 'Licence'],
  frequency: ['Tần suất cập nhật', 'Update frequency'],
  lastUpdated: ['Cập nhật lần cuối', 'Last updated'],
  nextDue: ['Hạn cập nhật tiếp theo', 'Next update due'],
  whenChanged: ['Khi có thay đổi', 'When it changes'],
  firstPublished: ['Công bố lần đầu', 'First published'],
  temporal: ['Thời gian của dữ liệu', 'Time period'],
  now: ['nay', 'now'],
  spatial: ['Phạm vi không gian', 'Area'],
  keywords: ['Từ khóa', 'Keywords'],
  contact: ['Liên hệ', 'Contact'],
  source: ['Nguồn', 'Source'],
  identifier: ['Mã định danh', 'Identifier code'],
  email: ['Thư điện tử', 'E-mail'],
  unitDatasets: ['Bộ dữ liệu của đơn vị', 'Datasets of this publisher'],
  noDatasets: ['Đơn vị chưa công bố bộ dữ liệu nào.', 'No dataset published yet.'],
  dueNext: ['lần cập nhật tiếp theo trước ngày', 'next update due by'],
  dueOverdue: ['hạn cập nhật là ngày {d}; đơn vị cung cấp cần cập nhật dữ liệu.', 'the update was due on {d}; the publisher must update it.'],
  exemptReason: ['dữ liệu chỉ thay đổi khi có quyết định mới.', 'the data changes only with a new decision.'],
  searchIn: ['Tìm trong {n} bộ dữ liệu (gõ có dấu hoặc không dấu)', 'Search {n} datasets (Vietnamese words, with or without accents)'],
  resultPages: ['Trang kết quả', 'Result pages'],
  filter: ['Lọc bộ dữ liệu', 'Filter datasets'],
  sort: ['Sắp xếp', 'Sort by'],
  sortRelevance: ['Phù hợp nhất', 'Best match'],
  sortTitle: ['Tên (A–Z)', 'Title (A–Z)'],
  sortUpdated: ['Cập nhật gần nhất', 'Recently updated'],
  sortNewest: ['Công bố mới nhất', 'Newest'],
  facetUnit: ['Đơn vị', 'Publisher'],
  facetTopic: ['Chủ đề', 'Topic'],
  facetTag: ['Từ khóa', 'Keyword'],
  facetFormat: ['Định dạng', 'Format'],
  facetLicence: ['Giấy phép', 'Licence'],
  facetStatus: ['Tình trạng cập nhật', 'Update status'],
  searching: ['Đang tìm…', 'Searching…'],
  results: ['{n} kết quả', '{n} results'],
  result1: ['{n} kết quả', '{n} result'],
  resultsFor: [' cho “{q}”', ' for “{q}”'],
  pageOf: [', trang {p}/{n}', ', page {p} of {n}'],
  noResults: ['Không tìm thấy bộ dữ liệu nào', 'No dataset found'],
  pageN: ['Trang {n}', 'Page {n}'],
  unitSuggestions: ['Đơn vị có tên bạn tìm', 'Publishers matching your search'],
  unitSuggestion: ['{unit} — {n} bộ dữ liệu', '{unit} — {n} datasets'],
} as const satisfies Record<string, readonly [string, string]>;

export type Key = keyof typeof STRINGS;

export function t(lang: Lang, key: Key): string {
  return STRINGS[key][lang === 'en' ? 1 : 0];
}

/** The address of a page in a language: Vietnamese at the root, English under /en/. */
export function href(lang: Lang, path: string): string {
  return lang === 'en' ? `/en${path}` : path;
}

/** The same page in the other language. */
export function counterpart(pathname: string): string {
  return pathname.startsWith('/en/') ? pathname.slice(3) : `/en${pathname}`;
}

export const STATUS: Record<string, readonly [string, string]> = {
  'up-to-date': ['Đúng hạn', 'Up to date'],
  'due-soon': ['Sắp đến hạn cập nhật', 'Update due soon'],
  overdue: ['Quá hạn cập nhật', 'Update overdue'],
  exempt: ['Cập nhật khi có thay đổi', 'Updated when it changes'],
};
export const statusLabel = (lang: Lang, s: string) => (STATUS[s] ?? [s, s])[lang === 'en' ? 1 : 0];

export const TYPE_LABELS: Record<string, readonly [string, string]> = {
  string: ['Văn bản', 'Text'], integer: ['Số nguyên', 'Integer'], number: ['Số', 'Number'], boolean: ['Có/không', 'Yes/no'],
  date: ['Ngày', 'Date'], datetime: ['Ngày giờ', 'Date and time'], year: ['Năm', 'Year'],
};
export const typeLabel = (lang: Lang, type: string) => (TYPE_LABELS[type] ?? [type, type])[lang === 'en' ? 1 : 0];
