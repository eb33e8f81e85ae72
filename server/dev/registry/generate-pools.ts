// Name and place pools for the synthetic registry. Frequencies roughly follow the 2015 census.

const SURNAME_WEIGHTS: readonly (readonly [string, string, number])[] = [
  ['김', 'KIM', 215],
  ['이', 'LEE', 147],
  ['박', 'PARK', 84],
  ['최', 'CHOI', 47],
  ['정', 'JUNG', 43],
  ['강', 'KANG', 24],
  ['조', 'CHO', 21],
  ['윤', 'YOON', 20],
  ['장', 'JANG', 20],
  ['임', 'LIM', 16],
  ['한', 'HAN', 15],
  ['오', 'OH', 15],
  ['서', 'SEO', 15],
  ['신', 'SHIN', 14],
  ['권', 'KWON', 14],
  ['황', 'HWANG', 14],
  ['안', 'AHN', 13],
  ['송', 'SONG', 13],
  ['류', 'RYU', 12],
  ['전', 'JEON', 11],
  ['홍', 'HONG', 11],
  ['고', 'KO', 9],
  ['문', 'MOON', 9],
  ['양', 'YANG', 9],
  ['손', 'SON', 9],
];

/** Surnames expanded by weight so a uniform pick follows the frequencies. */
export const SURNAMES: readonly (readonly [string, string])[] = SURNAME_WEIGHTS.flatMap(([ko, en, w]) =>
  Array.from({ length: w }, () => [ko, en] as const),
);

const syllables = (pairs: string): readonly (readonly [string, string])[] =>
  pairs.split(' ').map((pair) => pair.split(':') as unknown as readonly [string, string]);

export const GIVEN_FIRST = {
  male: syllables(
    '민:MIN 서:SEO 도:DO 준:JUN 현:HYUN 지:JI 성:SEONG 영:YEONG 재:JAE 승:SEUNG 동:DONG 상:SANG 정:JEONG 우:WOO 태:TAE 건:GEON',
  ),
  female: syllables(
    '서:SEO 지:JI 민:MIN 수:SU 하:HA 예:YE 은:EUN 유:YU 채:CHAE 윤:YUN 다:DA 소:SO 혜:HYE 미:MI 경:KYEONG 연:YEON',
  ),
};
export const GIVEN_SECOND = {
  male: syllables(
    '준:JUN 우:WOO 호:HO 현:HYUN 민:MIN 진:JIN 훈:HOON 수:SU 석:SEOK 원:WON 철:CHEOL 혁:HYEOK 빈:BIN 규:GYU 환:HWAN 기:GI',
  ),
  female: syllables(
    '연:YEON 윤:YUN 아:A 은:EUN 진:JIN 희:HEE 영:YEONG 현:HYUN 원:WON 린:RIN 서:SEO 경:KYEONG 숙:SUK 정:JEONG 빈:BIN 나:NA',
  ),
};

export interface District {
  readonly province: string;
  readonly name: string;
  /** Five-digit province + city/county/district code of the legal-dong code. */
  readonly code: string;
  readonly dongs: readonly (readonly [string, string])[];
  readonly roads: readonly string[];
  /** Old-style plate region. */
  readonly plateRegion: string;
}

const d = (
  province: string,
  name: string,
  code: string,
  dongs: string,
  roads: string,
  plateRegion: string,
): District => ({
  province,
  name,
  code,
  dongs: dongs.split(' ').map((n, i) => [n, `${101 + i}00`] as const),
  roads: roads.split(' '),
  plateRegion,
});

export const DISTRICTS: readonly District[] = [
  d(
    '서울특별시',
    '강남구',
    '11680',
    '역삼동 개포동 청담동 삼성동',
    '테헤란로 언주로 선릉로 도산대로',
    '서울',
  ),
  d('서울특별시', '종로구', '11110', '청운동 신교동 궁정동 효자동', '자하문로 율곡로 삼일대로', '서울'),
  d('서울특별시', '마포구', '11440', '아현동 공덕동 신공덕동 도화동', '마포대로 월드컵로 독막로', '서울'),
  d('서울특별시', '송파구', '11710', '잠실동 신천동 풍납동 송파동', '올림픽로 송파대로 백제고분로', '서울'),
  d('서울특별시', '노원구', '11350', '월계동 공릉동 하계동 중계동', '동일로 노해로 공릉로', '서울'),
  d('부산광역시', '해운대구', '26350', '우동 중동 좌동 송정동', '해운대로 센텀중앙로 좌동순환로', '부산'),
  d('부산광역시', '부산진구', '26230', '양정동 전포동 부전동 범천동', '중앙대로 가야대로 동평로', '부산'),
  d('대구광역시', '수성구', '27260', '범어동 만촌동 수성동1가 황금동', '달구벌대로 동대구로 들안로', '대구'),
  d(
    '인천광역시',
    '연수구',
    '28185',
    '옥련동 선학동 연수동 송도동',
    '송도과학로 컨벤시아대로 경원대로',
    '인천',
  ),
  d('광주광역시', '북구', '29170', '중흥동 유동 누문동 북동', '서암대로 우치로 북문대로', '광주'),
  d('대전광역시', '유성구', '30200', '원내동 교촌동 대정동 봉명동', '대학로 한밭대로 유성대로', '대전'),
  d('울산광역시', '남구', '31140', '신정동 달동 삼산동 무거동', '삼산로 번영로 문수로', '울산'),
  d('세종특별자치시', '세종시', '36110', '반곡동 소담동 보람동 대평동', '한누리대로 갈매로 도움로', '세종'),
  d('경기도', '수원시 영통구', '41117', '매탄동 원천동 이의동 영통동', '광교중앙로 봉영로 매영로', '경기'),
  d('경기도', '성남시 분당구', '41135', '분당동 수내동 정자동 서현동', '판교역로 분당로 황새울로', '경기'),
  d('경기도', '고양시 일산동구', '41285', '식사동 중산동 정발산동 장항동', '중앙로 일산로 정발산로', '경기'),
  d('강원특별자치도', '춘천시', '51110', '교동 조운동 약사동 효자동', '중앙로 춘천로 공지로', '강원'),
  d(
    '충청북도',
    '청주시 상당구',
    '43111',
    '영동 북문로1가 남문로1가 문화동',
    '상당로 사직대로 대성로',
    '충북',
  ),
  d('충청남도', '천안시 동남구', '44131', '대흥동 성황동 문화동 사직동', '만남로 충절로 중앙로', '충남'),
  d(
    '전북특별자치도',
    '전주시 완산구',
    '52111',
    '중앙동 풍남동 노송동 완산동',
    '팔달로 기린대로 전라감영로',
    '전북',
  ),
  d('전라남도', '목포시', '46110', '용당동 산정동 연산동 대성동', '영산로 백년대로 통일대로', '전남'),
  d('경상북도', '포항시 남구', '47111', '상도동 대도동 해도동 송도동', '포스코대로 중앙로 희망대로', '경북'),
  d('경상남도', '창원시 의창구', '48121', '북동 중동 서상동 소답동', '의안로 창원대로 원이대로', '경남'),
  d('제주특별자치도', '제주시', '50110', '일도동 이도동 삼도동 용담동', '중앙로 연북로 노형로', '제주'),
];

export const TRADE_NAME_PARTS = {
  prefix: '한빛 새솔 푸른 대한 동방 미래 누리 다온 가온 하나 온누리 세움 한결 바른 으뜸 참'.split(' '),
  suffix:
    '테크 산업 물산 건설 상사 식품 정보 바이오 에너지 로지스 소프트 디자인 전자 제약 푸드 모빌리티'.split(
      ' ',
    ),
  form: ['주식회사 ', '(주)', '유한회사 ', ''] as const,
};

export const BUSINESS_TYPES = [
  '제조업',
  '도매 및 소매업',
  '건설업',
  '정보통신업',
  '서비스업',
  '운수업',
  '음식점업',
];
export const BUSINESS_ITEMS = [
  '응용 소프트웨어 개발',
  '전자부품 제조',
  '한식 음식점',
  '화물 운송',
  '건축공사',
  '식료품 도매',
  '경영 컨설팅',
];
export const KSIC_CODES = [
  '10711',
  '26111',
  '28114',
  '29271',
  '41221',
  '46311',
  '58221',
  '62010',
  '70113',
  '73100',
];
export const SHIP_NAMES = [
  '한빛호',
  '새마을호',
  '동해호',
  '바다사랑호',
  '제일호',
  '대성호',
  '해성호',
  '청룡호',
];
export const MODEL_NAMES = [
  '쏘나타',
  '아반떼',
  '그랜저',
  '스포티지',
  'K5',
  '카니발',
  '포터II',
  '봉고III',
  '아이오닉5',
  '투싼',
];
export const COMPLEX_NAMES = [
  '래미안',
  '자이',
  '힐스테이트',
  '푸르지오',
  '더샵',
  '아이파크',
  '롯데캐슬',
  'e편한세상',
];
export const SCHOOL_NAMES = ['한빛고등학교', '새솔중학교', '푸른초등학교', '대한고등학교', '누리중학교'];
export const ORGANISATION_NAMES = [
  '국민은행',
  '신한은행',
  '우리은행',
  '하나은행',
  '농협은행',
  '한국주택금융공사',
  '서울보증보험',
];
export const WORDS = ['일반', '기타', '해당 없음', '확인', '정상', '표준', '관리', '등록'];
export const FOREIGN_ADDRESSES = [
  '123 Main St, Los Angeles, CA, USA',
  '2-1-1 Nishi-Shinjuku, Shinjuku-ku, Tokyo, Japan',
  '45 George St, Sydney NSW, Australia',
  '800 Robson St, Vancouver BC, Canada',
];
