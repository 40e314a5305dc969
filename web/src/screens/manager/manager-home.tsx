import { RoleHome } from '../../components/role-home.tsx';
import { t } from '../../i18n/index.ts';

export default function ManagerHome() {
  return <RoleHome title={t.screens.manager} text={t.home.manager} campaigns />;
}
