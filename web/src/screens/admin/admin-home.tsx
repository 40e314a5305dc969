import { RoleHome } from '../../components/role-home.tsx';
import { t } from '../../i18n/index.ts';

export default function AdminHome() {
  return <RoleHome title={t.screens.admin} text={t.home.admin} />;
}
