import { RoleHome } from '../../components/role-home.tsx';
import { t } from '../../i18n/index.ts';

export default function QaHome() {
  return <RoleHome title={t.screens.qa} text={t.home.qa} />;
}
