// The parts of Apache ECharts the profile report draws with: line charts (throughput, queue),
// the custom series (the per-worker Gantt), axes, tooltips, zoom, legends, the canvas renderer.
import { use, init, graphic, connect } from 'echarts/core';
import { LineChart, CustomChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, DataZoomInsideComponent, DataZoomSliderComponent, LegendComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, CustomChart, GridComponent, TooltipComponent, DataZoomInsideComponent, DataZoomSliderComponent, LegendComponent, CanvasRenderer]);

export { init, graphic, connect };
