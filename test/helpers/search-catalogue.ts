import type { SnapshotCatalog } from '../../server/contract/snapshot.ts';
import { LICENCES, TOPICS, UPDATE_FREQUENCIES } from '../../server/catalog/vocabularies.ts';
import { canonicalTone } from '../../server/contract/search.ts';
import { slugify } from '../../server/contract/text.ts';

/**
 * A realistic provincial catalogue for search: 27 units of a merged province (departments, the
 * police, the inspectorate, communes and wards) and about 300 datasets whose titles have the
 * near-neighbours Vietnamese search must tell apart — đất đai / đặt hàng / đạt, dân số / dân sự,
 * giá đất / giáo dục, trường / trưởng, Đak Đoa / Đak Pơ, đô thị / "do bão", nhà thuốc / "thu … nhà
 * nước" — and a labelled query set typed as citizens type (with and without accents, đ as d,
 * unit names, words still being typed, nonsense). Used by the search tests and `npm run bench:site`.
 */

interface UnitDef { slug: string; title: string; titleEn: string; topic: string; notes: string; items: (string | [string, string[], string?])[] }

const P = 'tỉnh Gia Lai';
const UNITS: UnitDef[] = [
  { slug: 'van-phong-ubnd-tinh', title: `Văn phòng Ủy ban nhân dân ${P}`, titleEn: 'Office of the Provincial People\'s Committee, Gia Lai', topic: 'hanh-chinh',
    notes: 'Văn phòng tổng hợp từ hệ thống quản lý văn bản và Cổng dịch vụ công của tỉnh.',
    items: ['Danh mục thủ tục hành chính cấp tỉnh', 'Kết quả giải quyết hồ sơ thủ tục hành chính theo tháng', 'Lịch tiếp công dân của lãnh đạo tỉnh năm 2025',
      'Danh sách văn bản quy phạm pháp luật do tỉnh ban hành', 'Chỉ số cải cách hành chính các sở, ngành', 'Số liệu phản ánh, kiến nghị của người dân qua đường dây nóng',
      'Danh mục dịch vụ công trực tuyến toàn trình', 'Báo cáo tình hình kinh tế - xã hội hằng tháng', 'Danh sách cơ quan hành chính nhà nước cấp tỉnh', 'Kế hoạch công tác năm 2025 của Ủy ban nhân dân tỉnh'] },
  { slug: 'so-noi-vu', title: `Sở Nội vụ ${P}`, titleEn: 'Department of Home Affairs, Gia Lai', topic: 'hanh-chinh',
    notes: 'Sở Nội vụ tổng hợp từ cơ sở dữ liệu cán bộ, công chức, viên chức và hồ sơ địa giới hành chính.',
    items: ['Danh sách đơn vị hành chính cấp xã sau sắp xếp năm 2025', 'Đối chiếu đơn vị hành chính cấp xã trước và sau sắp xếp', 'Số lượng cán bộ, công chức cấp xã',
      'Biên chế công chức trong cơ quan hành chính', 'Danh sách người có công với cách mạng', 'Số lao động có việc làm mới theo quý', 'Danh sách cơ sở giáo dục nghề nghiệp',
      'Thi đua, khen thưởng năm 2024', 'Danh sách tổ chức tôn giáo được cấp đăng ký', 'Tiền lương tối thiểu vùng áp dụng trên địa bàn tỉnh', 'Số người tham gia bảo hiểm thất nghiệp'] },
  { slug: 'so-tu-phap', title: `Sở Tư pháp ${P}`, titleEn: 'Department of Justice, Gia Lai', topic: 'hanh-chinh',
    notes: 'Sở Tư pháp tổng hợp từ sổ hộ tịch điện tử và báo cáo của các tổ chức hành nghề.',
    items: ['Số vụ việc thi hành án dân sự theo năm', 'Kết quả thi hành án dân sự về tiền', 'Danh sách tổ chức hành nghề công chứng', 'Danh sách luật sư và văn phòng luật sư',
      'Số đăng ký khai sinh, khai tử theo xã', 'Số vụ việc hòa giải ở cơ sở', 'Danh sách giám định viên tư pháp', 'Danh sách đấu giá viên và tổ chức đấu giá tài sản',
      'Số lượt trợ giúp pháp lý miễn phí', 'Đăng ký kết hôn có yếu tố nước ngoài', 'Danh sách văn bản được kiểm tra, rà soát'] },
  { slug: 'so-tai-chinh', title: `Sở Tài chính ${P}`, titleEn: 'Department of Finance, Gia Lai', topic: 'tai-chinh',
    notes: 'Sở Tài chính tổng hợp từ hệ thống quản lý ngân sách và đăng ký doanh nghiệp.',
    items: ['Dự toán ngân sách địa phương năm 2025', 'Quyết toán chi ngân sách tỉnh năm 2024', 'Kế hoạch đặt hàng dịch vụ sự nghiệp công của Đài Phát thanh và Truyền hình',
      'Doanh nghiệp thành lập mới theo quý', 'Danh sách dự án đầu tư được cấp chủ trương', 'Vốn đầu tư công giải ngân theo tháng', 'Giá hàng hóa, dịch vụ thiết yếu',
      'Danh sách doanh nghiệp giải thể, tạm ngừng kinh doanh', 'Tài sản công của các cơ quan nhà nước', 'Chỉ số giá tiêu dùng theo tháng', 'Chi ngân sách cho cơ sở y tế công lập'] },
  { slug: 'so-cong-thuong', title: `Sở Công Thương ${P}`, titleEn: 'Department of Industry and Trade, Gia Lai', topic: 'kinh-te',
    notes: 'Sở Công Thương tổng hợp từ báo cáo của các thương nhân và cụm công nghiệp.',
    items: ['Danh sách chợ và siêu thị', 'Danh sách cửa hàng xăng dầu', 'Sản lượng điện thương phẩm theo tháng', 'Danh sách cụm công nghiệp',
      'Kim ngạch xuất khẩu theo mặt hàng', 'Danh sách dự án điện gió, điện mặt trời', 'Tổng mức bán lẻ hàng hóa', 'Danh sách cơ sở kinh doanh khí dầu mỏ hóa lỏng',
      'Hoạt động khuyến công năm 2024', 'Danh sách doanh nghiệp thương mại điện tử', 'Giá điện sinh hoạt áp dụng'] },
  { slug: 'so-nong-nghiep-va-moi-truong', title: `Sở Nông nghiệp và Môi trường ${P}`, titleEn: 'Department of Agriculture and Environment, Gia Lai', topic: 'nong-nghiep',
    notes: 'Sở Nông nghiệp và Môi trường tổng hợp từ hồ sơ đất đai, quan trắc và thống kê nông nghiệp.',
    items: [['Bảng giá đất giai đoạn 2025–2029', ['giá đất', 'đất đai']], ['Kế hoạch sử dụng đất đai năm 2025', ['đất đai']], ['Thống kê diện tích đất đai theo loại đất', ['đất đai', 'thống kê']],
      'Danh sách tổ chức được giao đất, cho thuê đất', 'Kết quả quan trắc chất lượng không khí', 'Diện tích rừng và độ che phủ rừng', 'Thiệt hại do bão và áp thấp nhiệt đới năm 2024',
      'Diện tích, năng suất, sản lượng cà phê', 'Danh sách hồ chứa thủy lợi', 'Lượng mưa và nhiệt độ theo tháng', 'Danh sách cơ sở chăn nuôi trang trại', 'Dịch bệnh trên đàn gia súc, gia cầm'] },
  { slug: 'so-xay-dung', title: `Sở Xây dựng ${P}`, titleEn: 'Department of Construction, Gia Lai', topic: 'nang-luong-ha-tang',
    notes: 'Sở Xây dựng tổng hợp từ hồ sơ quy hoạch, cấp phép và đăng kiểm phương tiện.',
    items: ['Danh sách đô thị loại I, II, III trên địa bàn tỉnh', 'Quy hoạch chung đô thị Pleiku', 'Chiều dài đường giao thông nông thôn đạt chuẩn', 'Các tuyến xe buýt đang khai thác',
      'Danh sách bến xe khách', 'Giấy phép xây dựng đã cấp theo quý', 'Giá vật liệu xây dựng theo tháng', 'Danh sách dự án nhà ở xã hội', 'Điểm đen tai nạn giao thông',
      'Danh sách cầu trên tuyến đường tỉnh', 'Số phương tiện giao thông đăng kiểm'] },
  { slug: 'so-giao-duc-va-dao-tao', title: `Sở Giáo dục và Đào tạo ${P}`, titleEn: 'Department of Education and Training, Gia Lai', topic: 'giao-duc',
    notes: 'Sở Giáo dục và Đào tạo tổng hợp từ cơ sở dữ liệu ngành giáo dục.',
    items: ['Danh sách trường trung học phổ thông năm học 2025–2026', 'Danh sách trường mầm non', 'Danh sách trường tiểu học và trung học cơ sở', 'Số học sinh theo cấp học',
      'Kết quả thi tốt nghiệp trung học phổ thông năm 2025', 'Số giáo viên theo cấp học', 'Trường đạt chuẩn quốc gia', 'Danh sách cơ sở giáo dục thường xuyên',
      'Phổ cập giáo dục mầm non cho trẻ 5 tuổi', 'Danh sách trung tâm ngoại ngữ, tin học', 'Học sinh giỏi cấp tỉnh năm học 2024–2025', 'Chi phí giáo dục bình quân một học sinh'] },
  { slug: 'so-y-te', title: `Sở Y tế ${P}`, titleEn: 'Department of Health, Gia Lai', topic: 'y-te',
    notes: 'Sở Y tế tổng hợp từ hệ thống thông tin y tế cơ sở.',
    items: ['Danh sách cơ sở khám bệnh, chữa bệnh', 'Danh sách nhà thuốc đạt chuẩn GPP', 'Danh sách bệnh viện công lập và tư nhân', 'Số giường bệnh theo bệnh viện',
      'Tiêm chủng mở rộng cho trẻ em', 'Số ca mắc sốt xuất huyết theo tuần', 'Danh sách trạm y tế xã, phường', 'Số bác sĩ trên một vạn dân', 'Cơ sở kinh doanh dược phẩm',
      'An toàn thực phẩm: cơ sở được cấp giấy chứng nhận', 'Tỷ lệ suy dinh dưỡng trẻ em dưới 5 tuổi', 'Danh sách phòng khám đa khoa'] },
  { slug: 'so-van-hoa-the-thao-va-du-lich', title: `Sở Văn hóa, Thể thao và Du lịch ${P}`, titleEn: 'Department of Culture, Sports and Tourism, Gia Lai', topic: 'van-hoa-du-lich',
    notes: 'Sở Văn hóa, Thể thao và Du lịch tổng hợp từ báo cáo của các cơ sở lưu trú và điểm di tích.',
    items: ['Điểm du lịch tiêu biểu', 'Danh sách di tích lịch sử - văn hóa được xếp hạng', 'Số lượt khách du lịch theo tháng', 'Danh sách cơ sở lưu trú du lịch',
      'Lễ hội truyền thống trong năm', 'Danh sách thư viện công cộng', 'Thiết chế văn hóa, thể thao cấp xã', 'Giải thể thao cấp tỉnh năm 2025', 'Danh sách nghệ nhân nhân dân, nghệ nhân ưu tú',
      'Doanh thu du lịch theo quý', 'Danh sách hướng dẫn viên du lịch'] },
  { slug: 'so-khoa-hoc-va-cong-nghe', title: `Sở Khoa học và Công nghệ ${P}`, titleEn: 'Department of Science and Technology, Gia Lai', topic: 'khoa-hoc-cong-nghe',
    notes: 'Sở Khoa học và Công nghệ tổng hợp; quản trị cổng dữ liệu mở của tỉnh.',
    items: ['Điểm phát Wi-Fi công cộng miễn phí', 'Danh sách nhiệm vụ khoa học và công nghệ cấp tỉnh', 'Danh sách doanh nghiệp khoa học và công nghệ', 'Chỉ số chuyển đổi số cấp xã',
      'Danh sách trạm phát sóng di động', 'Đo lường chất lượng: phương tiện đo được kiểm định', 'Danh mục dữ liệu mở của tỉnh', 'Số thuê bao internet băng rộng', 'Sáng kiến được công nhận năm 2024',
      'Danh sách bưu cục và điểm bưu điện văn hóa xã', 'Nhãn hiệu, chỉ dẫn địa lý của tỉnh'] },
  { slug: 'so-dan-toc-va-ton-giao', title: `Sở Dân tộc và Tôn giáo ${P}`, titleEn: 'Department of Ethnic Minorities and Religions, Gia Lai', topic: 'xa-hoi',
    notes: 'Sở Dân tộc và Tôn giáo tổng hợp từ báo cáo của các xã, phường.',
    items: ['Danh sách cơ sở tôn giáo được công nhận', 'Danh sách người có uy tín trong đồng bào dân tộc thiểu số', 'Dân số các dân tộc thiểu số theo xã', 'Danh sách thôn, làng đặc biệt khó khăn',
      'Chính sách hỗ trợ đồng bào dân tộc thiểu số năm 2025', 'Số tín đồ theo tôn giáo', 'Danh sách chức sắc, chức việc tôn giáo', 'Kết quả thực hiện chương trình mục tiêu quốc gia vùng dân tộc',
      'Học sinh dân tộc thiểu số được hỗ trợ học bổng', 'Lễ hội tôn giáo hằng năm'] },
  { slug: 'thanh-tra-tinh', title: `Thanh tra ${P}`, titleEn: 'Provincial Inspectorate, Gia Lai', topic: 'hanh-chinh',
    notes: 'Thanh tra tỉnh tổng hợp kết quả thanh tra, tiếp công dân và giải quyết khiếu nại.',
    items: ['Kế hoạch thanh tra năm 2025', 'Kết luận thanh tra đã công khai', 'Số đơn khiếu nại, tố cáo đã tiếp nhận', 'Kết quả giải quyết khiếu nại, tố cáo theo quý',
      'Kết quả phòng, chống tham nhũng', 'Kê khai tài sản, thu nhập: danh sách người phải kê khai', 'Số cuộc thanh tra hành chính đã thực hiện', 'Kiến nghị thu hồi tiền qua thanh tra', 'Lịch tiếp công dân định kỳ', 'Xử lý sau thanh tra'] },
  { slug: 'cong-an-tinh', title: `Công an ${P}`, titleEn: 'Provincial Police, Gia Lai', topic: 'hanh-chinh',
    notes: 'Công an tỉnh tổng hợp từ hệ thống quản lý hành chính về trật tự xã hội.',
    items: ['Số vụ tai nạn giao thông theo tháng', 'Điểm tiếp nhận hồ sơ cấp căn cước', 'Số vụ cháy, nổ và thiệt hại', 'Danh sách cơ sở kinh doanh có điều kiện về an ninh, trật tự',
      'Kết quả cấp căn cước và định danh điện tử', 'Số phương tiện đăng ký mới theo quý', 'Địa điểm đăng ký xe mô tô, xe gắn máy', 'Số vụ phạm pháp hình sự', 'Danh sách đội phòng cháy chữa cháy cơ sở',
      'Lỗi vi phạm giao thông bị xử phạt nhiều nhất', 'Số vụ vi phạm về ma túy'] },
  { slug: 'bo-chi-huy-quan-su-tinh', title: `Bộ Chỉ huy Quân sự ${P}`, titleEn: 'Provincial Military Command, Gia Lai', topic: 'hanh-chinh',
    notes: 'Bộ Chỉ huy Quân sự tỉnh tổng hợp.',
    items: ['Kết quả tuyển quân năm 2025', 'Số công dân đăng ký nghĩa vụ quân sự lần đầu', 'Danh sách ban chỉ huy quân sự cấp xã', 'Lực lượng dân quân tự vệ',
      'Diễn tập phòng thủ khu vực năm 2024', 'Tìm kiếm cứu nạn: số vụ và người được cứu', 'Giáo dục quốc phòng và an ninh cho các đối tượng', 'Chính sách đối với quân nhân xuất ngũ', 'Danh sách nghĩa trang liệt sĩ', 'Quy tập hài cốt liệt sĩ'] },
  { slug: 'ban-quan-ly-khu-kinh-te', title: `Ban Quản lý Khu kinh tế ${P}`, titleEn: 'Economic Zone Authority, Gia Lai', topic: 'kinh-te',
    notes: 'Ban Quản lý Khu kinh tế tổng hợp từ báo cáo của nhà đầu tư.',
    items: ['Danh sách dự án trong Khu kinh tế Nhơn Hội', 'Danh sách dự án trong khu công nghiệp', 'Tỷ lệ lấp đầy khu công nghiệp', 'Lao động làm việc trong khu công nghiệp',
      'Vốn đầu tư thực hiện trong khu kinh tế', 'Giá thuê đất trong khu công nghiệp', 'Danh sách nhà đầu tư nước ngoài', 'Xuất khẩu của doanh nghiệp khu kinh tế cửa khẩu', 'Hạ tầng khu kinh tế cửa khẩu Lệ Thanh', 'Quan trắc môi trường khu công nghiệp'] },
  { slug: 'thong-ke-tinh', title: `Thống kê ${P}`, titleEn: 'Provincial Statistics Office, Gia Lai', topic: 'kinh-te',
    notes: 'Số liệu của Thống kê tỉnh, theo chế độ báo cáo thống kê.',
    items: ['Dân số trung bình theo xã, phường', 'Dân số và mật độ dân số năm 2024', 'Tổng sản phẩm trên địa bàn (GRDP) theo quý', 'Chỉ số sản xuất công nghiệp theo tháng',
      'Tỷ lệ hộ nghèo theo xã', 'Thu nhập bình quân đầu người một tháng', 'Tỷ lệ thất nghiệp của lực lượng lao động', 'Số doanh nghiệp đang hoạt động có kết quả sản xuất kinh doanh',
      'Niên giám thống kê năm 2024', 'Tỷ số giới tính khi sinh', 'Tuổi thọ trung bình', 'Diện tích gieo trồng cây hằng năm'] },
  { slug: 'bao-hiem-xa-hoi-tinh', title: `Bảo hiểm xã hội ${P}`, titleEn: 'Social Security Office, Gia Lai', topic: 'xa-hoi',
    notes: 'Bảo hiểm xã hội tỉnh tổng hợp; phối hợp với Sở Y tế về khám chữa bệnh bảo hiểm y tế.',
    items: ['Số người tham gia bảo hiểm xã hội bắt buộc', 'Số người tham gia bảo hiểm xã hội tự nguyện', 'Tỷ lệ bao phủ bảo hiểm y tế theo xã', 'Cơ sở khám chữa bệnh bảo hiểm y tế ban đầu',
      'Chi trả lương hưu và trợ cấp hằng tháng', 'Số đơn vị nợ đóng bảo hiểm xã hội', 'Điểm thu bảo hiểm xã hội, bảo hiểm y tế', 'Chi khám chữa bệnh bảo hiểm y tế theo quý', 'Hưởng trợ cấp thất nghiệp'] },
  { slug: 'thue-tinh', title: `Thuế ${P}`, titleEn: 'Provincial Tax Office, Gia Lai', topic: 'tai-chinh',
    notes: 'Thuế tỉnh tổng hợp từ hệ thống quản lý thuế.',
    items: ['Thu ngân sách nhà nước theo quý', 'Danh sách người nộp thuế nợ thuế', 'Số hóa đơn điện tử đã cấp mã', 'Hộ kinh doanh nộp thuế khoán', 'Hoàn thuế giá trị gia tăng',
      'Danh sách doanh nghiệp bỏ địa chỉ kinh doanh', 'Thu tiền sử dụng đất', 'Thuế thu nhập cá nhân đã quyết toán', 'Lệ phí trước bạ nhà, đất', 'Kết quả thanh tra, kiểm tra thuế'] },
  { slug: 'dai-phat-thanh-truyen-hinh', title: 'Đài Phát thanh và Truyền hình Gia Lai', titleEn: 'Gia Lai Radio and Television', topic: 'van-hoa-du-lich',
    notes: 'Đài Phát thanh và Truyền hình Gia Lai tổng hợp.',
    items: ['Lịch phát sóng truyền hình hằng tuần', 'Chương trình phát thanh tiếng dân tộc thiểu số', 'Tần số phát sóng phát thanh FM', 'Danh sách đài truyền thanh cấp xã',
      'Số chương trình truyền hình tự sản xuất', 'Thời lượng phát sóng theo kênh', 'Tin bài được đăng trên báo điện tử', 'Cụm loa truyền thanh thông minh ở thôn, làng'] },
];

// communes and wards: the same datasets under their own names ("trưởng thôn" sits next to "trường")
const LOCAL = [
  { slug: 'ubnd-phuong-quy-nhon', title: 'UBND phường Quy Nhơn', titleEn: 'Quy Nhon Ward People\'s Committee', place: 'phường Quy Nhơn', village: 'tổ dân phố' },
  { slug: 'ubnd-phuong-pleiku', title: 'UBND phường Pleiku', titleEn: 'Pleiku Ward People\'s Committee', place: 'phường Pleiku', village: 'tổ dân phố' },
  { slug: 'ubnd-phuong-an-nhon', title: 'UBND phường An Nhơn', titleEn: 'An Nhon Ward People\'s Committee', place: 'phường An Nhơn', village: 'khu phố' },
  { slug: 'ubnd-xa-dak-doa', title: 'UBND xã Đak Đoa', titleEn: 'Dak Doa Commune People\'s Committee', place: 'xã Đak Đoa', village: 'thôn' },
  { slug: 'ubnd-xa-dak-po', title: 'UBND xã Đak Pơ', titleEn: 'Dak Po Commune People\'s Committee', place: 'xã Đak Pơ', village: 'thôn' },
  { slug: 'ubnd-xa-ia-ly', title: 'UBND xã Ia Ly', titleEn: 'Ia Ly Commune People\'s Committee', place: 'xã Ia Ly', village: 'làng' },
  { slug: 'ubnd-xa-chu-se', title: 'UBND xã Chư Sê', titleEn: 'Chu Se Commune People\'s Committee', place: 'xã Chư Sê', village: 'thôn' },
];
const LOCAL_ITEMS = (place: string, village: string) => [
  `Danh sách hộ nghèo, hộ cận nghèo ${place} năm 2025`, `Dân số ${place} theo ${village}`, `Danh sách trưởng ${village}`, `Trường học trên địa bàn ${place}`,
  `Trạm y tế ${place}: khám chữa bệnh theo tháng`, `Kết quả giải quyết thủ tục hành chính tại ${place}`, `Danh sách ${village} và diện tích`, `Điểm thu gom rác thải sinh hoạt ${place}`,
  `Thu ngân sách ${place} năm 2024`, `Danh sách người cao tuổi ${place}`, `Tuyến đường giao thông ${place}`,
];
for (const l of LOCAL) {
  UNITS.push({ slug: l.slug, title: l.title, titleEn: l.titleEn, topic: 'dia-phuong', notes: `Ủy ban nhân dân ${l.place} tổng hợp từ sổ theo dõi của ${l.village}.`, items: LOCAL_ITEMS(l.place, l.village) });
}
// a few datasets of departments about one commune, so a commune's name also stands in other units' titles
UNITS.find((u) => u.slug === 'so-nong-nghiep-va-moi-truong')!.items.push('Diện tích cà phê xã Đak Đoa', 'Bản đồ hiện trạng rừng xã Đak Pơ', 'Thủy lợi nhỏ xã Ia Ly');
UNITS.find((u) => u.slug === 'so-giao-duc-va-dao-tao')!.items.push('Trường phổ thông dân tộc nội trú xã Đak Đoa', 'Trường tiểu học xã Chư Sê');
UNITS.find((u) => u.slug === 'so-y-te')!.items.push('Trung tâm y tế khu vực Đak Đoa', 'Trung tâm y tế khu vực Đak Pơ');

/** The units (slug, title, English title), for catalogues that borrow them. */
export const REALISTIC_UNITS = UNITS.map(({ slug, title, titleEn }) => ({ slug, title, titleEn }));

export interface RealisticDataset { slug: string; title: string; organization: string; tags: string[]; notes: string; topics: string[] }

/** The datasets, deterministic. */
export function realisticDatasets(): RealisticDataset[] {
  const out: RealisticDataset[] = [];
  const seen = new Set<string>();
  for (const u of UNITS) {
    for (const item of u.items) {
      const [title, tags, own] = typeof item === 'string' ? [item, [] as string[], undefined] : item;
      let slug = slugify(title);
      for (let i = 2; seen.has(slug); i++) slug = `${slugify(title)}-${i}`;
      seen.add(slug);
      const notes = `${title}. ${own ?? u.notes} Cập nhật định kỳ, gồm số liệu chi tiết và ghi chú nguồn.`;
      out.push({ slug, title, organization: u.slug, tags: tags.length ? tags : autoTags(title), notes, topics: [u.topic] });
    }
  }
  return out;
}

/** Keywords as units write them: the main two-syllable words of the title. */
function autoTags(title: string): string[] {
  const w = title.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((x) => x && !['danh', 'sách', 'số', 'theo', 'và', 'của', 'các', 'năm', 'trên', 'được', 'cho', 'có', 'một'].includes(x));
  const tags: string[] = [];
  for (let i = 0; i + 1 < w.length && tags.length < 2; i += 2) tags.push(`${w[i]} ${w[i + 1]}`);
  return tags;
}

/** The catalogue as a snapshot's catalog.json would hold it (dates and statuses deterministic). */
export function realisticCatalog(): SnapshotCatalog {
  let seed = 11;
  const rnd = (k: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % k; };
  const statuses = ['up-to-date', 'up-to-date', 'up-to-date', 'due-soon', 'overdue', 'exempt'] as const;
  const datasets = realisticDatasets().map((d) => {
    const when = new Date(Date.UTC(2024 + rnd(2), rnd(12), 1 + rnd(27))).toISOString();
    return {
      id: `id-${d.slug}`, createdAt: when, slug: d.slug, title: d.title, notes: d.notes.slice(0, 300), organization: d.organization, tags: d.tags, topics: d.topics,
      formats: rnd(4) === 0 ? ['CSV', 'XLSX'] : ['CSV'], licenseId: rnd(5) === 0 ? 'CC0-1.0' : 'CC-BY-4.0', updateFrequency: 'quarterly', modifiedAt: when, lastUpdatedAt: when, publishedAt: when,
      isSample: true, nextDueDate: null, freshness: statuses[rnd(statuses.length)]!,
    };
  });
  return {
    format: 1, generatedAt: new Date(0).toISOString(), siteUrl: 'http://localhost:4321',
    organizations: UNITS.map((u) => ({
      id: `org-${u.slug}`, createdAt: new Date(0).toISOString(), slug: u.slug, title: u.title, titleEn: u.titleEn, description: '', identifierCode: null, parent: null,
      contactEmail: null, website: null, datasetCount: datasets.filter((d) => d.organization === u.slug).length,
    })),
    topics: TOPICS, licences: LICENCES, frequencies: UPDATE_FREQUENCIES, datasets,
  };
}

// —— the query set ——

export type QueryClass = 'accent-free' | 'd-for-đ' | 'unit' | 'pair' | 'typing' | 'accented' | 'nonsense';
export interface LabelledQuery { q: string; cls: QueryClass; relevant: (d: RealisticDataset) => boolean }

const text = (d: RealisticDataset) => ` ${[d.title, ...d.tags, d.notes].join(' ').toLowerCase().normalize('NFC').split(/[^\p{L}\p{N}]+/u).map(canonicalTone).join(' ')} `;
/** The dataset's own words hold this phrase (accents as written). */
const says = (...phrases: string[]) => (d: RealisticDataset) => phrases.some((p) => text(d).includes(` ${p} `));
/** The dataset's title holds it. */
const titled = (...phrases: string[]) => (d: RealisticDataset) => phrases.some((p) => ` ${d.title.toLowerCase().split(/[^\p{L}\p{N}]+/u).join(' ')} `.includes(` ${p} `));
const unit = (slug: string) => (d: RealisticDataset) => d.organization === slug;
const none = () => false;

export const QUERIES: LabelledQuery[] = [
  // typed without accents
  { q: 'dan so', cls: 'accent-free', relevant: says('dân số') },
  { q: 'dan su', cls: 'accent-free', relevant: says('dân sự') },
  { q: 'truong hoc', cls: 'accent-free', relevant: says('trường học') },
  { q: 'truong mam non', cls: 'accent-free', relevant: says('trường mầm non') },
  { q: 'truong thon', cls: 'accent-free', relevant: says('trưởng thôn') },
  { q: 'gia dat', cls: 'accent-free', relevant: says('giá đất') },
  { q: 'giao duc', cls: 'accent-free', relevant: (d) => says('giáo dục')(d) || unit('so-giao-duc-va-dao-tao')(d) },
  { q: 'benh vien', cls: 'accent-free', relevant: says('bệnh viện') },
  { q: 'nha thuoc', cls: 'accent-free', relevant: says('nhà thuốc') },
  { q: 'xe buyt', cls: 'accent-free', relevant: says('xe buýt') },
  { q: 'ho ngheo', cls: 'accent-free', relevant: says('hộ nghèo') },
  { q: 'du lich', cls: 'accent-free', relevant: says('du lịch') },
  { q: 'ton giao', cls: 'accent-free', relevant: (d) => says('tôn giáo')(d) || unit('so-dan-toc-va-ton-giao')(d) },
  { q: 'tai nan giao thong', cls: 'accent-free', relevant: says('tai nạn giao thông') },
  { q: 'thu tuc hanh chinh', cls: 'accent-free', relevant: says('thủ tục hành chính') },
  { q: 'bao hiem y te', cls: 'accent-free', relevant: says('bảo hiểm y tế') },
  { q: 'khu cong nghiep', cls: 'accent-free', relevant: says('khu công nghiệp') },
  { q: 'ngan sach', cls: 'accent-free', relevant: says('ngân sách') },
  { q: 'luong mua', cls: 'accent-free', relevant: says('lượng mưa') },
  { q: 'thi hanh an', cls: 'accent-free', relevant: says('thi hành án') },
  { q: 'ca phe', cls: 'accent-free', relevant: says('cà phê') },
  { q: 'hoc sinh', cls: 'accent-free', relevant: says('học sinh') },
  // đ typed as d
  { q: 'dat dai', cls: 'd-for-đ', relevant: says('đất đai') },
  { q: 'do thi', cls: 'd-for-đ', relevant: says('đô thị') },
  { q: 'dak doa', cls: 'd-for-đ', relevant: says('đak đoa') },
  { q: 'dak po', cls: 'd-for-đ', relevant: says('đak pơ') },
  { q: 'dau tu', cls: 'd-for-đ', relevant: says('đầu tư') },
  { q: 'don vi hanh chinh', cls: 'd-for-đ', relevant: says('đơn vị hành chính') },
  { q: 'duong giao thong', cls: 'd-for-đ', relevant: says('đường giao thông') },
  { q: 'dang kiem', cls: 'd-for-đ', relevant: says('đăng kiểm') },
  { q: 'dia gioi', cls: 'd-for-đ', relevant: says('địa giới') },
  { q: 'dien gio', cls: 'd-for-đ', relevant: says('điện gió') },
  { q: 'dan toc thieu so', cls: 'd-for-đ', relevant: says('dân tộc thiểu số') },
  { q: 'dao tao', cls: 'd-for-đ', relevant: (d) => says('đào tạo')(d) || unit('so-giao-duc-va-dao-tao')(d) },
  // a unit's name, as people type it
  { q: 'so y te', cls: 'unit', relevant: unit('so-y-te') },
  { q: 'sở y tế', cls: 'unit', relevant: unit('so-y-te') },
  { q: 'cong an tinh', cls: 'unit', relevant: unit('cong-an-tinh') },
  { q: 'công an', cls: 'unit', relevant: unit('cong-an-tinh') },
  { q: 'thanh tra tinh', cls: 'unit', relevant: unit('thanh-tra-tinh') },
  { q: 'ubnd xa ia ly', cls: 'unit', relevant: unit('ubnd-xa-ia-ly') },
  { q: 'uy ban nhan dan xa chu se', cls: 'unit', relevant: unit('ubnd-xa-chu-se') },
  { q: 'xa dak doa', cls: 'unit', relevant: unit('ubnd-xa-dak-doa') },
  { q: 'ubnd phuong pleiku', cls: 'unit', relevant: unit('ubnd-phuong-pleiku') },
  { q: 'phuong quy nhon', cls: 'unit', relevant: unit('ubnd-phuong-quy-nhon') },
  { q: 'so giao duc', cls: 'unit', relevant: unit('so-giao-duc-va-dao-tao') },
  { q: 'sở gd&đt', cls: 'unit', relevant: unit('so-giao-duc-va-dao-tao') },
  { q: 'so tai chinh', cls: 'unit', relevant: unit('so-tai-chinh') },
  { q: 'so xay dung', cls: 'unit', relevant: unit('so-xay-dung') },
  { q: 'so tu phap', cls: 'unit', relevant: unit('so-tu-phap') },
  { q: 'so noi vu', cls: 'unit', relevant: unit('so-noi-vu') },
  { q: 'so cong thuong', cls: 'unit', relevant: unit('so-cong-thuong') },
  { q: 'so van hoa the thao', cls: 'unit', relevant: unit('so-van-hoa-the-thao-va-du-lich') },
  { q: 'so khoa hoc cong nghe', cls: 'unit', relevant: unit('so-khoa-hoc-va-cong-nghe') },
  { q: 'bao hiem xa hoi tinh', cls: 'unit', relevant: unit('bao-hiem-xa-hoi-tinh') },
  { q: 'thue tinh', cls: 'unit', relevant: unit('thue-tinh') },
  { q: 'dai phat thanh truyen hinh', cls: 'unit', relevant: unit('dai-phat-thanh-truyen-hinh') },
  { q: 'ban quan ly khu kinh te', cls: 'unit', relevant: unit('ban-quan-ly-khu-kinh-te') },
  { q: 'bo chi huy quan su', cls: 'unit', relevant: unit('bo-chi-huy-quan-su-tinh') },
  { q: 'van phong ubnd tinh', cls: 'unit', relevant: unit('van-phong-ubnd-tinh') },
  { q: 'thong ke tinh', cls: 'unit', relevant: unit('thong-ke-tinh') },
  // two syllables side by side, against the same syllables apart
  { q: 'dat chuan', cls: 'pair', relevant: says('đạt chuẩn') },
  { q: 'dat hang', cls: 'pair', relevant: says('đặt hàng') },
  { q: 'nha nuoc', cls: 'pair', relevant: says('nhà nước') },
  { q: 'thu ngan sach', cls: 'pair', relevant: says('thu ngân sách') },
  { q: 'phat song', cls: 'pair', relevant: says('phát sóng') },
  { q: 'y te xa', cls: 'pair', relevant: says('y tế xã') },
  { q: 'giay phep xay dung', cls: 'pair', relevant: says('giấy phép xây dựng') },
  { q: 'chat luong khong khi', cls: 'pair', relevant: says('chất lượng không khí') },
  // words still being typed (the last one a prefix)
  { q: 'giao d', cls: 'typing', relevant: says('giáo dục') },
  { q: 'dak d', cls: 'typing', relevant: says('đak đoa') },
  { q: 'nha thu', cls: 'typing', relevant: says('nhà thuốc') },
  { q: 'do th', cls: 'typing', relevant: says('đô thị') },
  { q: 'truong h', cls: 'typing', relevant: says('trường học') },
  { q: 'dan s', cls: 'typing', relevant: says('dân số', 'dân sự') },
  { q: 'benh v', cls: 'typing', relevant: says('bệnh viện') },
  { q: 'thanh tra t', cls: 'typing', relevant: unit('thanh-tra-tinh') },
  { q: 'so y t', cls: 'typing', relevant: unit('so-y-te') },
  { q: 'ubnd xa ia l', cls: 'typing', relevant: unit('ubnd-xa-ia-ly') },
  { q: 'xe bu', cls: 'typing', relevant: says('xe buýt') },
  { q: 'khu kinh t', cls: 'typing', relevant: says('khu kinh tế') },
  // typed with accents: the exact forms first
  { q: 'đất đai', cls: 'accented', relevant: says('đất đai') },
  { q: 'dân số', cls: 'accented', relevant: says('dân số') },
  { q: 'dân sự', cls: 'accented', relevant: says('dân sự') },
  { q: 'giá đất', cls: 'accented', relevant: says('giá đất') },
  { q: 'giáo dục', cls: 'accented', relevant: (d) => says('giáo dục')(d) || unit('so-giao-duc-va-dao-tao')(d) },
  { q: 'trưởng thôn', cls: 'accented', relevant: says('trưởng thôn') },
  { q: 'trường', cls: 'accented', relevant: titled('trường') },
  { q: 'Đak Đoa', cls: 'accented', relevant: says('đak đoa') },
  { q: 'đô thị', cls: 'accented', relevant: says('đô thị') },
  { q: 'thủy lợi', cls: 'accented', relevant: says('thủy lợi') },
  // nonsense: nothing should be listed
  { q: 'xyzw', cls: 'nonsense', relevant: none },
  { q: 'qwerty asdf', cls: 'nonsense', relevant: none },
  { q: 'iphone 15 pro max', cls: 'nonsense', relevant: none },
  { q: 'bong da ngoai hang anh', cls: 'nonsense', relevant: none },
  { q: 'dat dai xyz', cls: 'nonsense', relevant: none },
  { q: 'so y te kfc', cls: 'nonsense', relevant: none },
];

/** recall@10 (of min(10, relevant)) and reciprocal rank (first relevant in the top 10) of one ranked list. */
export function judge(ranked: string[], relevant: Set<string>): { recall: number; rr: number } {
  if (!relevant.size) return { recall: ranked.length === 0 ? 1 : 0, rr: ranked.length === 0 ? 1 : 0 };
  const top = ranked.slice(0, 10);
  const found = top.filter((s) => relevant.has(s)).length;
  const first = top.findIndex((s) => relevant.has(s));
  return { recall: found / Math.min(10, relevant.size), rr: first < 0 ? 0 : 1 / (first + 1) };
}
