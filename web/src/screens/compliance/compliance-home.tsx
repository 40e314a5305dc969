import { RoleHome } from '../../components/role-home.tsx';
import { t } from '../../i18n/index.ts';

export default function ComplianceHome() {
  return <RoleHome title={t.screens.compliance} text={t.home.compliance} />;
}
