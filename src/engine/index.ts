export type { AdminPort, CdrQuery, LiveCallView, NightMode, RecordingView, RegistrationView, ReloadReport, TrunkView } from './admin-port.ts';
