"""Vocabulary for `manage.py seed_demo`: a fictional province, its bodies, places and people's names.

Everything here is invented; the province "Tỉnh Sông Hồng" does not exist. Names are written in NFC so
that console tables line up (one code point per letter).
"""

from dataclasses import dataclass

PROVINCE_NAME = "Tỉnh Sông Hồng"
PROVINCE_CODE = "SH"
EMAIL_DOMAIN = "songhong.example.vn"

# Provincial departments and agencies after the 2025 streamlining of the provincial apparatus:
# (code suffix, name, short name, title of the head, title of a deputy).
DEPARTMENTS = [
    ("VP", "Văn phòng Ủy ban nhân dân tỉnh", "VP UBND tỉnh", "Chánh Văn phòng", "Phó Chánh Văn phòng"),
    ("SNV", "Sở Nội vụ", "SNV", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("STC", "Sở Tài chính", "STC", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("STP", "Sở Tư pháp", "STP", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("SXD", "Sở Xây dựng", "SXD", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("SCT", "Sở Công Thương", "SCT", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "Sở NN&MT", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Sở KH&CN", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("SGD", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("SYT", "Sở Y tế", "SYT", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Sở VH-TT-DL", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", "Sở DT&TG", "Giám đốc Sở", "Phó Giám đốc Sở"),
    ("TTR", "Thanh tra tỉnh", "TTr tỉnh", "Chánh Thanh tra", "Phó Chánh Thanh tra"),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh", "BQL KCN", "Trưởng ban", "Phó Trưởng ban"),
]

# Two departments merged on 2025-03-01 into Sở Nông nghiệp và Môi trường (code suffix "SNNMT").
MERGED_DEPARTMENTS = [
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT"),
    ("STNMT", "Sở Tài nguyên và Môi trường", "Sở TN&MT"),
]

DEPARTMENT_DIVISIONS = [
    "Văn phòng Sở",
    "Phòng Kế hoạch – Tài chính",
    "Phòng Tổ chức cán bộ",
    "Phòng Thi đua – Khen thưởng",
    "Phòng Pháp chế",
    "Phòng Chuyên môn",
]

HIGH_SCHOOL_PATRONS = [
    "Lê Quý Đôn",
    "Nguyễn Trãi",
    "Trần Phú",
    "Chu Văn An",
    "Lê Hồng Phong",
    "Nguyễn Du",
    "Phan Bội Châu",
    "Hùng Vương",
    "Quang Trung",
    "Ngô Quyền",
    "Lý Thường Kiệt",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Lê Lợi",
    "Nguyễn Bỉnh Khiêm",
    "Lương Thế Vinh",
    "Phan Đình Phùng",
    "Nguyễn Đình Chiểu",
    "Võ Thị Sáu",
    "Lý Tự Trọng",
    "Nguyễn Văn Trỗi",
    "Hoàng Hoa Thám",
    "Trần Quốc Tuấn",
    "Lê Thánh Tông",
    "Tô Hiến Thành",
]

HEALTH_FACILITIES = [
    "Bệnh viện Đa khoa tỉnh",
    "Bệnh viện Sản – Nhi tỉnh",
    "Trung tâm Kiểm soát bệnh tật tỉnh",
    "Bệnh viện Y học cổ truyền tỉnh",
    "Bệnh viện Phổi tỉnh",
    "Bệnh viện Tâm thần tỉnh",
    "Bệnh viện Mắt tỉnh",
    "Trung tâm Pháp y tỉnh",
]

# Commune and ward names are built from two syllables, as many real ones are ("Tân Phú", "Vĩnh Lộc").
PLACE_FIRST = [
    "Tân",
    "An",
    "Phú",
    "Vĩnh",
    "Hòa",
    "Thạnh",
    "Bình",
    "Long",
    "Đông",
    "Tây",
    "Hưng",
    "Quang",
    "Yên",
    "Thuận",
    "Đức",
    "Minh",
    "Kim",
    "Hồng",
    "Xuân",
    "Trung",
    "Nghĩa",
    "Cẩm",
    "Gia",
    "Thái",
]
PLACE_SECOND = [
    "Phú",
    "Lợi",
    "Thành",
    "Hưng",
    "Sơn",
    "Hải",
    "Lộc",
    "Thịnh",
    "Mỹ",
    "Hòa",
    "Phong",
    "Tiến",
    "Khánh",
    "Lâm",
    "An",
    "Xuân",
    "Thọ",
    "Trung",
    "Định",
    "Hiệp",
    "Bình",
    "Thủy",
    "Tân",
    "Quý",
]

HAMLET_NAMES = [
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Trung",
    "Thượng",
    "Hạ",
    "Đồng Tâm",
    "Tân Lập",
    "Quyết Tiến",
    "Đoàn Kết",
    "Thống Nhất",
    "Hòa Bình",
    "An Lạc",
    "Phú Xuân",
    "Cầu Đá",
    "Bến Đò",
    "Gò Mít",
    "Đồng Cói",
    "Bãi Sậy",
]

# Family names with rough frequencies (per thousand) in the Vietnamese population.
FAMILY_NAMES = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 30),
    ("Huỳnh", 20),
    ("Phan", 45),
    ("Vũ", 22),
    ("Võ", 17),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
]
MIDDLE_NAMES = {
    "male": ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Quốc", "Ngọc"],
    "female": ["Thị", "Thu", "Ngọc", "Minh", "Thanh", "Kim", "Hồng", "Mỹ", "Bích", "Thị"],
}
GIVEN_NAMES = {
    "male": [
        "An",
        "Bình",
        "Ấn",
        "Dũng",
        "Hùng",
        "Tuấn",
        "Long",
        "Nam",
        "Sơn",
        "Hải",
        "Quân",
        "Khánh",
        "Phúc",
        "Thắng",
        "Toàn",
        "Cường",
        "Đạt",
        "Hiếu",
        "Huy",
        "Trung",
        "Việt",
        "Tùng",
        "Thịnh",
        "Lợi",
    ],
    "female": [
        "Hoà",
        "Hạnh",
        "Lan",
        "Thảo",
        "Phương",
        "Yến",
        "Hương",
        "Linh",
        "Mai",
        "Nhung",
        "Trang",
        "Vân",
        "Hà",
        "Hằng",
        "Huyền",
        "Loan",
        "Oanh",
        "Quyên",
        "Tâm",
        "Thủy",
        "Uyên",
        "An",
        "Anh",
        "Dung",
    ],
}

# Positions by kind of unit: (title of the head, deputy, manager titles, direct-worker titles, other titles).
POSITIONS = {
    "province": (
        "Chủ tịch Ủy ban nhân dân tỉnh",
        "Phó Chủ tịch Ủy ban nhân dân tỉnh",
        [],
        ["Chuyên viên"],
        ["Nhân viên hợp đồng"],
    ),
    "department": (
        None,  # per department, from DEPARTMENTS
        None,
        ["Trưởng phòng", "Phó Trưởng phòng", "Chánh Văn phòng Sở", "Phó Chánh Văn phòng Sở"],
        ["Chuyên viên", "Chuyên viên chính", "Kế toán viên", "Thanh tra viên"],
        ["Nhân viên hợp đồng", "Lái xe", "Văn thư"],
    ),
    "hospital": (
        "Giám đốc",
        "Phó Giám đốc",
        ["Trưởng khoa", "Phó Trưởng khoa", "Điều dưỡng trưởng", "Trưởng phòng"],
        ["Bác sĩ", "Bác sĩ chuyên khoa I", "Điều dưỡng", "Dược sĩ", "Kỹ thuật viên xét nghiệm", "Hộ sinh"],
        ["Hộ lý", "Nhân viên hợp đồng"],
    ),
    "school": (
        "Hiệu trưởng",
        "Phó Hiệu trưởng",
        [],
        [
            "Giáo viên",
            "Giáo viên",
            "Giáo viên",
            "Tổ trưởng chuyên môn",
            "Nhân viên kế toán",
            "Nhân viên thư viện",
        ],
        ["Bảo vệ", "Nhân viên y tế học đường"],
    ),
    "commune": (
        "Chủ tịch Ủy ban nhân dân",
        "Phó Chủ tịch Ủy ban nhân dân",
        ["Chánh Văn phòng HĐND và UBND", "Trưởng phòng Kinh tế", "Trưởng phòng Văn hóa – Xã hội"],
        [
            "Công chức Văn phòng HĐND và UBND",
            "Công chức Tư pháp – Hộ tịch",
            "Công chức Địa chính – Xây dựng",
            "Công chức Văn hóa – Xã hội",
            "Công chức Tài chính – Kế toán",
        ],
        ["Nhân viên hợp đồng"],
    ),
    "hamlet": (
        "Trưởng thôn",
        "Phó Trưởng thôn",
        [],
        [],
        ["Bí thư Chi bộ", "Chi hội trưởng Hội Phụ nữ", "Công an viên", "Chi hội trưởng Hội Nông dân"],
    ),
}


@dataclass(frozen=True)
class Persona:
    """A demo login. Personas with a `slot` are also a Person of their unit: its head, its first deputy or
    its last member of staff."""

    username: str
    role: str  # in Vietnamese, printed in the logins table
    name: str  # family, middle and given name
    gender: str
    unit: str = ""  # code suffix of the unit ("SGD" → "SH.SGD"); "" for the province itself
    slot: str = ""  # "head", "deputy" or "staff"; "" for no Person row
    position: str = ""  # instead of the slot's usual title


EMULATION_OFFICER = "Chuyên viên phụ trách thi đua – khen thưởng"
PERSONAS = [
    Persona("admin", "Quản trị hệ thống", "Trần Quốc Bảo", "male"),
    Persona(
        "canbo.sgd",
        "Cán bộ TĐKT – Sở Giáo dục và Đào tạo",
        "Nguyễn Thị Hoà",
        "female",
        unit="SGD",
        slot="staff",
        position=EMULATION_OFFICER,
    ),
    Persona(
        "thutruong.sgd",
        "Thủ trưởng đơn vị – Sở Giáo dục và Đào tạo",
        "Phạm Minh Tuấn",
        "male",
        unit="SGD",
        slot="head",
    ),
    Persona(
        "canbo.syt",
        "Cán bộ TĐKT – Sở Y tế",
        "Lê Thu Phương",
        "female",
        unit="SYT",
        slot="staff",
        position=EMULATION_OFFICER,
    ),
    Persona(
        "thuky.tinh",
        "Thư ký, cơ quan thường trực – Hội đồng TĐKT tỉnh",
        "Võ Thị Yến",
        "female",
        unit="SNV",
        slot="staff",
        position="Chuyên viên Phòng Thi đua – Khen thưởng",
    ),
    Persona(
        "uyvien.tinh",
        "Ủy viên Hội đồng TĐKT tỉnh (có quyền biểu quyết)",
        "Đặng Văn Hùng",
        "male",
        unit="STC",
        slot="head",
    ),
    Persona(
        "ky.tinh",
        "Người ký quyết định khen thưởng – Tỉnh Sông Hồng",
        "Nguyễn Văn Ấn",
        "male",
        unit="",
        slot="deputy",
    ),
]
