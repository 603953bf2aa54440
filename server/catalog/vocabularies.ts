/**
 * Controlled vocabularies of the catalogue. Rule values carry their legal source, because the
 * regulations they come from have been replaced (see shared/reference/vietnam-context.md).
 */

import type { Licence, UpdateFrequency } from '../contract/snapshot.ts';
export type { Licence, UpdateFrequency };

export const LICENCES: Licence[] = [
  { id: 'CC-BY-4.0', title: 'Creative Commons Ghi công 4.0 (CC BY 4.0)', url: 'https://creativecommons.org/licenses/by/4.0/', isOpen: true },
  { id: 'CC0-1.0', title: 'Creative Commons CC0 1.0 (dành cho công chúng)', url: 'https://creativecommons.org/publicdomain/zero/1.0/', isOpen: true },
  { id: 'ODC-BY-1.0', title: 'Open Data Commons Attribution 1.0', url: 'https://opendatacommons.org/licenses/by/1-0/', isOpen: true },
  { id: 'MIT', title: 'Giấy phép MIT', url: 'https://opensource.org/licenses/MIT', isOpen: true },
];

export const TOPICS: { id: string; title: string; titleEn: string }[] = [
  { id: 'hanh-chinh', title: 'Hành chính', titleEn: 'Administration' },
  { id: 'dia-phuong', title: 'Địa phương', titleEn: 'Local' },
  { id: 'kinh-te', title: 'Kinh tế', titleEn: 'Economy' },
  { id: 'tai-chinh', title: 'Tài chính', titleEn: 'Finance' },
  { id: 'giao-duc', title: 'Giáo dục', titleEn: 'Education' },
  { id: 'y-te', title: 'Y tế', titleEn: 'Health' },
  { id: 'lao-dong', title: 'Lao động', titleEn: 'Labour' },
  { id: 'moi-truong', title: 'Môi trường', titleEn: 'Environment' },
  { id: 'nong-nghiep', title: 'Nông nghiệp', titleEn: 'Agriculture' },
  { id: 'nang-luong-ha-tang', title: 'Năng lượng và hạ tầng', titleEn: 'Energy and infrastructure' },
  { id: 'xa-hoi', title: 'Xã hội', titleEn: 'Society' },
  { id: 'khoa-hoc-cong-nghe', title: 'Khoa học và công nghệ', titleEn: 'Science and technology' },
  { id: 'van-hoa-du-lich', title: 'Văn hóa và du lịch', titleEn: 'Culture and tourism' },
];


const DECREE_47_ART_20 = 'Nghị định 47/2020/NĐ-CP, Điều 20 khoản 3 (cập nhật dữ liệu mở trong vòng 3 tháng kể từ khi công bố); quy chế của tỉnh (Bình Định 2021, Đắk Lắk 01/2023/QĐ-UBND). Điều này đã bị bãi bỏ bởi Nghị định 194/2025/NĐ-CP; giữ làm mặc định cho đến khi tỉnh ban hành quy định thay thế.';

export const UPDATE_FREQUENCIES: UpdateFrequency[] = [
  { id: 'monthly', title: 'Hằng tháng', titleEn: 'Monthly', months: 1, dcat: 'http://publications.europa.eu/resource/authority/frequency/MONTHLY', legalSource: 'Do đơn vị cung cấp quyết định, không dài hơn chu kỳ quý.' },
  { id: 'quarterly', title: 'Hằng quý (tối thiểu 3 tháng một lần)', titleEn: 'Quarterly', months: 3, dcat: 'http://publications.europa.eu/resource/authority/frequency/QUARTERLY', legalSource: DECREE_47_ART_20 },
  { id: 'yearly', title: 'Hằng năm', titleEn: 'Yearly', months: 12, dcat: 'http://publications.europa.eu/resource/authority/frequency/ANNUAL', legalSource: 'Nghị định 47/2020/NĐ-CP, Điều 16 (kiểm tra, đánh giá dữ liệu hằng năm); áp dụng cho dữ liệu chỉ thay đổi theo năm, có lý do.' },
  { id: 'irregular', title: 'Khi có thay đổi', titleEn: 'When changed', months: null, dcat: 'http://publications.europa.eu/resource/authority/frequency/IRREG', legalSource: 'Ngoại lệ có lý do ghi rõ (dữ liệu chỉ thay đổi theo văn bản của cơ quan có thẩm quyền).' },
];

export const DEFAULT_FREQUENCY = 'quarterly';
/** Open data is published under CC BY 4.0 unless the unit chooses another open licence. */
export const DEFAULT_LICENCE = 'CC-BY-4.0';

export const licenceById = (id: string) => LICENCES.find((l) => l.id === id);
export const topicById = (id: string) => TOPICS.find((t) => t.id === id);
export const frequencyById = (id: string) => UPDATE_FREQUENCIES.find((f) => f.id === id);
