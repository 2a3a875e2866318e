import { describeStackControls } from "./stackControls";

describeStackControls("dev");
