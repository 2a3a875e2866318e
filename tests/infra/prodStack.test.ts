import { describeStackControls } from "./stackControls";

describeStackControls("prod");
