/**
 * Plain-words labels for record fields. English comes from the catalog's field descriptions. The catalog
 * has no Korean or Japanese field descriptions: Korean labels for every field are in catalog-text.ko.json,
 * Japanese labels for the common fields are here and for the others in catalog-text.ja.json; a field added
 * to the catalogue without them falls back to its English description, marked lang="en" so screen readers
 * switch voice (and the catalogue test fails).
 */
import type { RecordType } from '../catalog/catalog.types.js';
import japanese from './catalog-text.ja.json' with { type: 'json' };
import { koreanFieldLabel } from './catalog-text.js';
import type { Lang } from './i18n.js';

const JA_COMMON: Record<string, string> = {
  name: '氏名',
  birthDate: '生年月日',
  sex: '性別',
  address: '住所',
  residentRegistrationNumber: '住民登録番号',
  registrationBase: '登録基準地',
  registrationDate: '登録日',
  members: '世帯員',
  householdHeadName: '世帯主の氏名',
  householdFormedDate: '世帯構成日',
  addressHistory: '住所の変動履歴',
  parcelNumber: '地番（PNU）',
  location: '所在地',
  landCategory: '地目',
  area: '面積',
  owners: '所有者',
  ownerName: '所有者の氏名',
  ownerAddress: '所有者の住所',
  ownership: '甲区（所有権に関する事項）',
  otherRights: '乙区（所有権以外の権利）',
  uniqueNumber: '不動産固有番号',
  buildings: '建物',
  building: '棟番号',
  exclusiveArea: '専有面積',
  grossFloorArea: '延床面積',
  mainStructure: '主構造',
  mainUse: '主用途',
  floorsAboveGround: '地上階数',
  useApprovalDate: '使用承認日',
  violation: '違反建築物の記載',
  taxpayerName: '納税者の氏名',
  periods: '課税期間',
  hasArrears: '滞納の有無',
  arrears: '滞納税額',
  baseYear: '基準年',
  purpose: '証明書の使用目的',
  issueDate: '発行日',
  validFrom: '有効期間の開始',
  validUntil: '有効期間の終了',
  expiryDate: '有効期限',
  periodFrom: '期間の開始',
  periodUntil: '期間の終了',
  status: '状態',
  tradeName: '商号',
  companyName: '会社名',
  representativeName: '代表者名',
  businessRegistrationNumber: '事業者登録番号',
  vehicleRegistrationNumber: '自動車登録番号',
  vin: '車台番号',
  modelName: '車名・型式',
  mortgages: '抵当権',
  licences: '保有免許',
  licenceNumber: '運転免許番号',
  spouse: '配偶者',
  children: '子',
  subject: '本人',
  totalIncome: '総所得金額',
  incomeAmount: '所得金額',
};

const JA: Readonly<Record<string, string>> = { ...JA_COMMON, ...japanese.fields };

export interface FieldLabel {
  text: string;
  /** The language the text is in (may differ from the page's: fallback). */
  lang: Lang;
}

export function fieldLabel(lang: Lang, recordType: RecordType, field: string): FieldLabel {
  if (field.startsWith('/')) return pathLabel(lang, recordType, field);
  const korean = lang === 'ko' ? koreanFieldLabel(field) : undefined;
  if (korean) return { text: korean, lang: 'ko' };
  if (lang === 'ja' && JA[field]) return { text: JA[field], lang: 'ja' };
  const description = recordType.schema.properties[field]?.description;
  return { text: description ?? field, lang: 'en' };
}

export const japaneseFieldLabels: Readonly<Record<string, string>> = JA;

/**
 * A nested path the policy names (e.g. every member's residentRegistrationNumber) as its members' labels,
 * "구성원 › 주민등록번호"; array indexes and wildcards are left out. English when any member has no label.
 */
function pathLabel(lang: Lang, recordType: RecordType, path: string): FieldLabel {
  const members = path.split('/').filter((s) => s !== '' && s !== '*' && !/^\d+$/.test(s));
  const local = members.map((m) => (lang === 'ko' ? koreanFieldLabel(m) : lang === 'ja' ? JA[m] : undefined));
  if (lang !== 'en' && local.every((l) => l !== undefined)) return { text: local.join(' › '), lang };
  const [first, ...rest] = members;
  const top = first === undefined ? undefined : recordType.schema.properties[first]?.description;
  return { text: [top ?? first, ...rest].join(' › '), lang: 'en' };
}
